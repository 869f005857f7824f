// End-to-end tests wait for real redeliveries and executions; each wait inside is bounded on its own.
jest.setTimeout(120_000);
