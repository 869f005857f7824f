import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { type RuntimeProcess, startRuntimeProcess } from '../support/runtime-process';

/** The process and all its descendants (from each process's parent pid in /proc/PID/stat). */
function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // the process ended while we looked
    }
  }
  const tree = [root];
  for (let index = 0; index < tree.length; index += 1) {
    for (const [pid, ppid] of parents) if (ppid === tree[index]) tree.push(pid);
  }
  return tree;
}

/** Socket inodes the processes hold open. */
function socketInodes(pids: readonly number[]): Set<string> {
  const inodes = new Set<string>();
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode !== undefined) inodes.add(inode);
      } catch {
        // closed meanwhile
      }
    }
  }
  return inodes;
}

/** /proc/net/tcp's hex address ("0100007F:1F90", or 32 hex digits for tcp6) as "ip:port". */
function decodeAddress(hex: string): string {
  const [address = '', port = ''] = hex.split(':');
  // Each 32-bit word is in host (little-endian) byte order.
  const words = (address.match(/.{8}/g) ?? []).map((word) => (word.match(/../g) ?? []).reverse().join(''));
  const ip =
    words.length === 1
      ? (words[0]?.match(/../g) ?? []).map((byte) => Number.parseInt(byte, 16)).join('.')
      : words
          .join('')
          .match(/.{4}/g)
          ?.map((group) => group.replace(/^0+(?=.)/, ''))
          .join(':')
          .toLowerCase();
  return `${ip}:${Number.parseInt(port, 16)}`;
}

/** Listening TCP sockets (state 0A) among the inodes, as "ip:port". */
function listeners(inodes: Set<string>): string[] {
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[3] === '0A' && inodes.has(fields[9] ?? ''))
      .map((fields) => decodeAddress(fields[1] ?? '')),
  );
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|0:0:0:0:0:0:0:1|0:0:0:0:0:ffff:7f\d{2}:[0-9a-f]+):\d+$/;

describe('every listener of the local runtime', () => {
  let runtime: RuntimeProcess | undefined;
  afterAll(async () => {
    await runtime?.stop();
  });

  it('listens on the loopback interface only (edge, fauxqs, DynamoDB Local, SNS subscribers)', async () => {
    runtime = await startRuntimeProcess(['--quiet']);
    const pid = runtime.child.pid;
    if (pid === undefined) throw new Error('the runtime has no pid');
    const tree = processTree(pid);
    const listening = listeners(socketInodes(tree));
    const edgePort = new URL(runtime.endpoint).port;

    // The edge, fauxqs and DynamoDB Local at least, each in a process of the tree.
    expect(tree.length).toBeGreaterThanOrEqual(3);
    expect(listening).toContain(`127.0.0.1:${edgePort}`);
    expect(listening.length).toBeGreaterThanOrEqual(3);
    expect(listening.filter((address) => !LOOPBACK.test(address))).toEqual([]);
  });
});
