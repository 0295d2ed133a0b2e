/**
 * The account's figures as a terminal report: a summary, a positions table, a collateral table,
 * and under each table the rules (explanations) that produced its figures, so that a reader can
 * check every number by hand. Pure: it returns text, in a fixed order, without colours (the same
 * input prints the same bytes on every terminal, which keeps the report diffable and testable).
 *
 * Figures are printed from the wire form (accountJson.ts), so the table and `--json` can never
 * disagree; amounts are exact, with thousands separators and at least two decimals.
 */
import Table from 'cli-table3';
import type { AccountFigures } from '../risk/account/account.js';
import {
  PRICE_REACHED_NOTE,
  accountJson,
  type AccountJson,
  type CollateralJson,
  type PoolJson,
  type PortfolioJson,
  type PositionJson,
} from './accountJson.js';

const PLAIN_STYLE = { head: [] as string[], border: [] as string[], compact: true };

export function accountTable(figures: AccountFigures): string {
  const json = accountJson(figures);
  const sections = [summarySection(json), positionsSection(json.positions), collateralSection(json.collateral, json.mode)];
  if (json.pools.some((p) => p.kind === 'isolated')) sections.push(poolsSection(json.pools));
  for (const portfolio of json.portfolio) sections.push(portfolioSection(portfolio, json.valuationAsset));
  return `${sections.join('\n\n')}\n`;
}

function summarySection(a: AccountJson): string {
  const table = new Table({ style: PLAIN_STYLE, colAligns: ['left', 'right'] });
  table.push(
    ['Status', a.status],
    ['Equity', amountText(a.equity)],
    ['Unrealised PnL', amountText(a.unrealisedPnl)],
    ['Collateral for IM', amountText(a.collateralInitial)],
    ['Collateral for MM', amountText(a.collateralMaintenance)],
    ['Initial margin (IM)', amountText(a.initialMargin)],
    ['Maintenance margin (MM)', amountText(a.maintenanceMargin)],
    ['Free collateral', amountText(a.freeCollateral)],
    ['Margin ratio', a.marginRatio === null ? 'n/a (no maintenance margin)' : percentText(a.marginRatio)],
    ['Effective leverage', a.effectiveLeverage === null ? 'n/a (equity not positive)' : `${a.effectiveLeverage.toFixed(2)}x`],
  );
  const title = `Account ${a.accountId} (${a.mode} margin, figures in ${a.valuationAsset})`;
  const lines = [title, table.toString(), 'Margin ratio = collateral for MM / MM; free collateral = collateral for IM - IM.'];
  if (a.pools.some((p) => p.kind === 'isolated')) {
    // Totals add the pools, but an isolated position cannot draw on the wallet: the status and
    // the ratios that matter are each pool's, listed under Margin pools.
    lines.push("Totals add every pool; the status is the worst pool's (see Margin pools), and free collateral is the cross pool's.");
  }
  if (a.mode === 'portfolio') lines.push('IM and MM are set per underlying by scenarios (see Portfolio margin below), not per position.');
  return lines.join('\n');
}

function positionsSection(positions: readonly PositionJson[]): string {
  if (positions.length === 0) return 'Positions: none';
  const table = new Table({
    style: PLAIN_STYLE,
    head: ['Instrument', 'Margin', 'Size', 'Entry', 'Mark', 'Notional', 'Unrealised PnL', 'IM', 'MM', 'Liquidation', 'Bankruptcy', 'Status'],
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
  });
  for (const p of positions) {
    table.push([
      p.instrument,
      p.margin,
      groupDigits(p.size),
      groupDigits(p.entryPrice),
      groupDigits(p.markPrice),
      amountText(p.notional),
      amountText(p.unrealisedPnl),
      amountText(p.initialMargin),
      amountText(p.maintenanceMargin),
      adversePriceText(p.liquidationPrice, p.liquidationPriceNote),
      adversePriceText(p.bankruptcyPrice, p.bankruptcyPriceNote),
      p.status,
    ]);
  }
  const rules: string[] = [];
  for (const p of positions) {
    if (p.initialRule === p.maintenanceRule) rules.push(`  ${p.instrument} IM and MM: ${p.initialRule}`);
    else rules.push(`  ${p.instrument} IM: ${p.initialRule}`, `  ${p.instrument} MM: ${p.maintenanceRule}`);
    if (p.liquidationPriceNote !== null) rules.push(`  ${p.instrument} liquidation price: ${p.liquidationPriceNote}`);
    if (p.bankruptcyPriceNote !== null) rules.push(`  ${p.instrument} bankruptcy price: ${p.bankruptcyPriceNote}`);
  }
  return ['Positions (notional, PnL and margins in the valuation asset; prices in each quote asset)', table.toString(), 'Rules:', ...rules].join('\n');
}

function collateralSection(collateral: readonly CollateralJson[], mode: AccountJson['mode']): string {
  if (collateral.length === 0) return 'Collateral: none';
  const table = new Table({
    style: PLAIN_STYLE,
    head: ['Asset', 'Balance', 'Unrealised PnL', 'Price', 'Value', 'Value for IM', 'Value for MM'],
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const c of collateral) {
    table.push([
      c.asset,
      groupDigits(c.balance),
      groupDigits(c.unrealisedPnl),
      groupDigits(c.price),
      amountText(c.value),
      amountText(c.initialValue),
      amountText(c.maintenanceValue),
    ]);
  }
  const rules: string[] = [];
  for (const c of collateral) {
    if (c.initialRule === c.maintenanceRule) rules.push(`  ${c.asset} IM and MM: ${c.initialRule}`);
    else rules.push(`  ${c.asset} IM: ${c.initialRule}`, `  ${c.asset} MM: ${c.maintenanceRule}`);
  }
  const pool = mode === 'portfolio' ? 'account' : 'cross pool';
  const title = `Collateral of the ${pool} (balance and PnL in the asset; values in the valuation asset)`;
  return [title, table.toString(), 'Rules:', ...rules].join('\n');
}

function poolsSection(pools: readonly PoolJson[]): string {
  const table = new Table({
    style: PLAIN_STYLE,
    head: ['Pool', 'Positions', 'Equity', 'Collateral for MM', 'IM', 'MM', 'Free collateral', 'Margin ratio', 'Status'],
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
  });
  for (const p of pools) {
    table.push([
      p.kind,
      p.instruments.length === 0 ? '-' : p.instruments.join(', '),
      amountText(p.equity),
      amountText(p.collateralMaintenance),
      amountText(p.initialMargin),
      amountText(p.maintenanceMargin),
      amountText(p.freeCollateral),
      p.marginRatio === null ? 'n/a' : percentText(p.marginRatio),
      p.status,
    ]);
  }
  const note = 'Each isolated position stands alone with its own margin; only the cross pool\'s free collateral may be withdrawn.';
  return ['Margin pools', table.toString(), note].join('\n');
}

/** One underlying's scenario requirement: the binding scenario's positions, then the explanation. */
function portfolioSection(p: PortfolioJson, valuationAsset: string): string {
  const table = new Table({
    style: PLAIN_STYLE,
    head: ['Instrument', 'Quantity', `PnL (${p.currencyAsset})`, `Weighted loss (${p.currencyAsset})`],
    colAligns: ['left', 'right', 'right', 'right'],
  });
  const digits = p.currency === 'coin' ? 4 : 2;
  for (const row of p.binding.positions) {
    table.push([row.instrument, String(row.quantity), groupDigits(row.pnl.toFixed(digits)), groupDigits(row.loss.toFixed(digits))]);
  }
  const title =
    `Portfolio margin, ${p.underlying} (${p.model}, in ${p.currencyAsset}): ` +
    `IM ${amountText(p.initialMargin)}, MM ${amountText(p.maintenanceMargin)} ${valuationAsset}`;
  return [title, `Binding scenario: ${p.binding.scenario}`, table.toString(), 'How:', ...p.explanation.map((line) => `  ${line}`)].join('\n');
}

function adversePriceText(price: string | null, note: string | null): string {
  if (price !== null) return groupDigits(price);
  return note === PRICE_REACHED_NOTE ? 'reached' : 'none';
}

/** An exact amount with thousands separators and at least two decimals: "1,428,000.00". */
export function amountText(decimal: string): string {
  const [whole = '0', fraction = ''] = decimal.split('.');
  return groupDigits(`${whole}.${fraction.padEnd(2, '0')}`);
}

/** Thousands separators on the whole part of a decimal string; the fraction is left as is. */
export function groupDigits(decimal: string): string {
  const negative = decimal.startsWith('-');
  const [whole = '0', fraction] = (negative ? decimal.slice(1) : decimal).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

/** A ratio as a percentage with two decimals, for display only: 25.4054 -> "2,540.54%". */
export function percentText(ratio: number): string {
  const percent = ratio * 100;
  // toFixed switches to exponent notation from 1e21; no margin ratio is that large unless MM is dust.
  if (Math.abs(percent) >= 1e15) return `${percent.toExponential(2)}%`;
  return `${groupDigits(percent.toFixed(2))}%`;
}
