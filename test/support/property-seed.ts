import fc from 'fast-check';

// Property tests draw their examples from the run's seed (vitest.config.mts), so the seed a run
// prints replays its properties too, not only its order: LIFEBOAT_TEST_SEED=N npm test gives
// the same examples. Each run with a new seed still explores new ones.
const seed = Number(process.env.LIFEBOAT_TEST_SEED);
if (Number.isInteger(seed)) fc.configureGlobal({ seed });
