// The classic Stackless "hackeysack" benchmark: a circle of players, each a
// tasklet with its own channel, kick a ball to randomly chosen players until
// it has been kicked enough times; then everybody is told to go home.
import { Channel } from '@stackless/channels';
import { run, tasklet } from '@stackless/tasklets';

type Message = { kind: 'ball'; from: number } | { kind: 'go home' };

export interface GameResult {
  players: number;
  kicks: number;
  kicksByPlayer: number[];
}

export function playHackeysack(players: number, kicks: number, seed = 1): GameResult {
  // mulberry32: small, seedable, and uniform in its high bits.
  let state = seed >>> 0;
  const random = (n: number) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = Math.imul(state ^ (state >>> 15), state | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return Math.floor((((x ^ (x >>> 14)) >>> 0) / 4294967296) * n);
  };
  const inboxes = Array.from({ length: players }, () => new Channel<Message>());
  const kicksByPlayer = new Array<number>(players).fill(0);
  let total = 0;

  const player = (me: number) => {
    for (const message of inboxes[me]!) {
      if (message.kind === 'go home') return;
      kicksByPlayer[me]!++;
      if (++total >= kicks) {
        // Game over: the last kicker sends everybody else home.
        for (let other = 0; other < players; other++) if (other !== me) inboxes[other]!.send({ kind: 'go home' });
        return;
      }
      let next = random(players);
      if (next === me) next = (next + 1) % players;
      inboxes[next]!.send({ kind: 'ball', from: me });
    }
  };
  for (let i = 0; i < players; i++) tasklet(player)(i);
  tasklet(() => inboxes[0]!.send({ kind: 'ball', from: -1 }))();
  run();
  return { players, kicks: total, kicksByPlayer };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const players = Number(process.argv[2] ?? 10_000);
  const kicks = Number(process.argv[3] ?? 100_000);
  const start = performance.now();
  const result = playHackeysack(players, kicks);
  console.log(`${result.players} players, ${result.kicks} kicks in ${(performance.now() - start).toFixed(0)} ms`);
}
