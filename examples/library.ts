/**
 * The README's library example, runnable: `npx tsx examples/library.ts`. A test runs it too.
 * (Inside the package it imports from ../src; a user imports the same names from 'solvent'.)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatAmount, formatPrice, loadRiskDocument, parseDocumentText, valueAccount } from '../src/index.js';

const file = fileURLToPath(new URL('./binance-cross.yaml', import.meta.url));
const { params, market, account } = loadRiskDocument(parseDocumentText(readFileSync(file, 'utf8')));
const figures = valueAccount(account, market, params);
console.log(figures.status, formatAmount(figures.maintenanceMargin));
for (const p of figures.positions) {
  const lp = p.liquidationPrice.kind === 'price' ? formatPrice(p.liquidationPrice.price) : p.liquidationPrice.kind;
  console.log(p.instrument, lp);
}
