/** The endpoint of the runtime started by global-setup.ts. */
export function e2eEndpoint(): string {
  const endpoint = process.env.E2E_ENDPOINT;
  if (endpoint === undefined)
    throw new Error('E2E_ENDPOINT is not set: run the e2e tests through jest --selectProjects e2e');
  return endpoint;
}
