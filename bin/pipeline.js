#!/usr/bin/env -S node --max-semi-space-size=4
// Entry point of the `pipeline` command: the compiled CLI lives in dist/ (built by `npm install`).
// --max-semi-space-size=4: V8 lets its young generation grow to 2 × 16 MB, which pays off for programs that
// allocate fast; the runner's garbage per stage is small, and those 32 MB were a sixth of its peak RSS on a
// 10,000-stage fan-out. Capped at 2 × 4 MB: peak RSS 24 MB lower, the cold run's CPU time the same, a no-op
// run's about 5 % more (docs/benchmarks.md, "Scale"). Only when started as a program (`pipeline`, or this
// file run directly): `node bin/pipeline.js` runs with node's defaults.
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
