// Known departures of the real packages from the model, by name. The model
// can reproduce one on request so that a triage run (scripts/model-check.js
// --accept name,...) gets past it and finds the next discrepancy. The
// property test in CI accepts none: the model's own rule is the reference.
export const QUIRKS = {
  'preference-caller-right-behind':
    'the side the preference names runs at once and the caller runs right after it, ahead of tasklets already runnable ' +
    '(the packages before issue 13; generic_channel_action puts the caller last). The test suite uses it as a mutant ' +
    'that the property must catch',
} as const;

export type Quirk = keyof typeof QUIRKS;

export function parseQuirks(list: string | undefined): Set<Quirk> {
  const names = (list ?? '').split(',').filter((n) => n !== '');
  for (const n of names) if (!(n in QUIRKS)) throw new Error(`unknown quirk ${n}; known: ${Object.keys(QUIRKS).join(', ')}`);
  return new Set(names as Quirk[]);
}
