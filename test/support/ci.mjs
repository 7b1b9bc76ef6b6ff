// One answer to "is this a CI run?", for the test runner, the tests and the benches alike: CI=true or
// CI=1 (what CI services set). Under CI a missing system part or a skipped test is a failure.

/** True under CI=true or CI=1. */
export function isCI() {
  const v = process.env.CI;
  return v === 'true' || v === '1';
}
