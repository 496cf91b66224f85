// The "same fringe" problem: do two trees have the same leaves, in order?
// Each tree is walked by an ordinary recursive function running in its own
// greenlet; the walker hands each leaf over from whatever depth it is at, and
// the comparison stops at the first difference without finishing either walk.
// Generators would need `yield*` at every level; here the walker is plain code.
import { Greenlet, getcurrent } from '@stackless/greenlet';

type Tree = number | [Tree, Tree];

function buildTree(leaves: number[]): Tree {
  if (leaves.length === 1) return leaves[0]!;
  const cut = 1 + Math.floor(Math.random() * (leaves.length - 1));
  return [buildTree(leaves.slice(0, cut)), buildTree(leaves.slice(cut))];
}

function depth(tree: Tree): number {
  return typeof tree === 'number' ? 0 : 1 + Math.max(depth(tree[0]), depth(tree[1]));
}

const DONE = Symbol('done');

/** Leaves of `tree`, one per switch, produced by a plain recursive walk. */
function leafStream(tree: Tree): () => number | typeof DONE {
  const consumer = getcurrent();
  function walk(node: Tree): void {
    if (typeof node === 'number') consumer.switch(node);
    else {
      walk(node[0]);
      walk(node[1]);
    }
  }
  const walker = new Greenlet(() => {
    walk(tree);
    return DONE;
  });
  return () => walker.switch() as number | typeof DONE;
}

function sameFringe(a: Tree, b: Tree): { same: boolean; compared: number } {
  const nextA = leafStream(a);
  const nextB = leafStream(b);
  for (let compared = 0; ; compared++) {
    const leafA = nextA();
    const leafB = nextB();
    if (leafA !== leafB) return { same: false, compared };
    if (leafA === DONE) return { same: true, compared };
  }
}

const size = 20_000;
const leaves = Array.from({ length: size }, (_, i) => i);
const changed = leaves.slice();
changed[15_000] = -1;

console.log(`Same fringe, ${size.toLocaleString()} leaves per tree, random shapes\n`);
const cases: Array<[string, Tree, Tree]> = [
  ['same leaves, different shapes', buildTree(leaves), buildTree(leaves)],
  ['leaf 15,000 differs', buildTree(leaves), buildTree(changed)],
];
for (const [label, a, b] of cases) {
  const start = process.hrtime.bigint();
  const { same, compared } = sameFringe(a, b);
  const ns = Number(process.hrtime.bigint() - start);
  const switches = 4 * compared;
  console.log(`${label}:`);
  console.log(`  tree depths ${depth(a)} and ${depth(b)}; walkers suspended at those depths`);
  console.log(`  result: ${same ? 'same fringe' : 'different'} after ${compared.toLocaleString()} leaves`);
  console.log(
    `  ${switches.toLocaleString()} greenlet switches in ${(ns / 1e6).toFixed(1)} ms ` +
      `(${Math.round(ns / switches)} ns per switch, including the walk)\n`,
  );
}
