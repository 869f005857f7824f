// Starts fauxqs (SQS, SNS and S3 emulator) in its own process: fauxqs is an
// ES module, and a process of its own dies with the runtime (see processes.ts).
// Options come as one JSON argument; the port is printed as a JSON line once listening.
import { startFauxqs } from 'fauxqs';

const options = JSON.parse(process.argv[2] ?? '{}');
const server = await startFauxqs({ logger: false, ...options });
process.stdout.write(`${JSON.stringify({ ready: true, port: server.port })}\n`);

const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
