// Starts fauxqs (SQS, SNS and S3 emulator) in its own process: fauxqs is an
// ES module, and a process of its own dies with the runtime (see processes.ts).
// Options come as one JSON argument; the port is printed as a JSON line once listening.
import { Server } from 'node:net';
import { startFauxqs } from 'fauxqs';
import { rebaseQueueUrls } from './fauxqs-sqs.mjs';

// fauxqs listens on 0.0.0.0 whatever it is told (its startFauxqs has no host
// option): every server this process opens listens on the loopback interface
// only, as every listener of the local runtime does.
const listen = Server.prototype.listen;
Server.prototype.listen = function listenOnLoopback(...args) {
  const [first] = args;
  if (typeof first === 'object' && first !== null && !('fd' in first) && !('path' in first)) {
    args[0] = { ...first, host: '127.0.0.1' };
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    args.splice(1, typeof args[1] === 'string' ? 1 : 0, '127.0.0.1');
  }
  return listen.apply(this, args);
};

const options = JSON.parse(process.argv[2] ?? '{}');
const server = await startFauxqs({ logger: false, ...options });
rebaseQueueUrls(server.port);
process.stdout.write(`${JSON.stringify({ ready: true, port: server.port })}\n`);

const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
