import { mergeConfig } from 'vitest/config';
import base from './vitest.mutation.config.mts';

export default mergeConfig(base, { test: { isolate: false } });
