import { beforeEach, expect } from 'vitest';

// Every test must assert something: a test that runs no expect() fails instead of passing
// vacuously (issue 19). Loops over results assert the list is non-empty first for the same reason.
beforeEach(() => {
  expect.hasAssertions();
});
