#!/usr/bin/env node
// Entry point of the `pipeline` command: the compiled CLI lives in dist/ (built by `npm install`).
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
