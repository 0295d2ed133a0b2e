#!/usr/bin/env node
// The installed `solvent` command: runs the compiled CLI (dist/ is built by `npm run build`, and
// by the `prepare` script on `npm ci`). During development, run `npx tsx src/cli/main.ts` instead.
import { main } from '../dist/cli/main.js';

await main();
