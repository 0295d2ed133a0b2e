/**
 * D5 / R22: the columnar kernel and the reference (`marginOf`) agree on random books: linear and
 * inverse, cross with multi-asset collateral (tiered by quantity and by value, size discount,
 * liabilities), isolated, resting orders, user leverage, lagged prices, weighted gains, every
 * margin model; and on the edges the float path cannot decide alone (exactly on a band, zero
 * equity, values beyond 2^53 units, missing prices). Fixed seeds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { materialise, RiskBook, STATUS_UNVALUED } from '../../src/kernel/index.js';
import { marginOf } from '../../src/risk/account/account.js';
import type { Account, Market } from '../../src/risk/account/types.js';
import { amount, price, size } from '../../src/risk/units/quantities.js';
import { bookCase, marketChoice, marketOf, venueChoice, venueParams } from './books.js';
import { assertAgrees } from './support.js';

/** The account without zero balances, positions sorted: the reference's input as the kernel holds it. */
function normalised(account: Account): Account {
  const balances = new Map([...account.balances].filter(([, v]) => v !== 0n));
  const positions = [...account.positions].sort((x, y) => (x.instrument < y.instrument ? -1 : x.instrument > y.instrument ? 1 : 0));
  return { ...account, balances, positions };
}

describe('kernel equals the reference', () => {
  it('on random books: the same status, IM and MM exactly, collateral within its bound', () => {
    let accounts = 0;
    const statuses = new Set<string>();
    fc.assert(
      fc.property(bookCase(16), (c) => {
        const book = RiskBook.fromAccounts(c.params, c.market, c.accounts);
        c.accounts.forEach((account, a) => {
          const reference = assertAgrees(book, a, account, c.market, c.params);
          statuses.add(reference.ok ? reference.margin.status : 'unvalued');
          accounts++;
        });
      }),
      { seed: 20_251_122, numRuns: 120 },
    );
    assert.ok(accounts > 500, `${accounts} accounts`);
    for (const s of ['healthy', 'margin_call', 'reduce_only', 'liquidatable', 'bankrupt']) assert.ok(statuses.has(s), `books reach ${s}`);
  });

  it('holds the ledger exactly: the materialised account is the input, bigint for bigint', () => {
    fc.assert(
      fc.property(bookCase(8), (c) => {
        const book = RiskBook.fromAccounts(c.params, c.market, c.accounts);
        c.accounts.forEach((account, a) => assert.deepEqual(materialise(book, a), normalised(account)));
      }),
      { seed: 7, numRuns: 60 },
    );
  });

  it('decides accounts exactly on a band, and at zero equity, through the exact reference', () => {
    let onBand = 0;
    let exact = 0;
    fc.assert(
      fc.property(bookCase(6), fc.constantFrom(0, 1, 2, 3), (c, band) => {
        const bands = [c.params.statusBands.liquidation, c.params.statusBands.reduceOnly, c.params.statusBands.marginCall];
        const ppm = BigInt(Math.round((bands[band] ?? 1) * 1e6));
        // Move each cross account's USDT balance so that MM collateral x 1e6 = MM x ppm exactly,
        // where that is an integer (USDT counts at weight 1: collateral moves one for one); band 3
        // moves it to zero equity instead (USDT is priced at 1: equity moves one for one).
        const accounts = c.accounts.map((account) => {
          if (account.mode !== 'cross') return account;
          const m = marginOf(account, c.market, c.params);
          if (band === 3) {
            const balances = new Map(account.balances);
            balances.set('USDT', amount((balances.get('USDT') ?? 0n) - m.equity));
            const moved: Account = { ...account, balances };
            if (marginOf(moved, c.market, c.params).equity !== 0n) return account;
            onBand++;
            return moved;
          }
          if (m.maintenanceMargin === 0n || (m.maintenanceMargin * ppm) % 1_000_000n !== 0n) return account;
          const target = (m.maintenanceMargin * ppm) / 1_000_000n;
          const balances = new Map(account.balances);
          balances.set('USDT', amount((balances.get('USDT') ?? 0n) + target - m.collateralMaintenance));
          const moved: Account = { ...account, balances };
          const after = marginOf(moved, c.market, c.params);
          if (after.collateralMaintenance !== target) return account; // a liability weight or a haircut tier in the way
          onBand++;
          return moved;
        });
        const book = RiskBook.fromAccounts(c.params, c.market, accounts);
        exact += book.exactValuations;
        accounts.forEach((account, a) => assertAgrees(book, a, account, c.market, c.params));
      }),
      { seed: 11, numRuns: 80 },
    );
    assert.ok(onBand > 20, `${onBand} accounts placed exactly on a band`);
    assert.ok(exact > 0, `${exact} of them undecided by the float figures, decided exactly`);
  });

  it('values wide accounts (beyond 2^53 units) and accounts with missing prices as the reference does', () => {
    fc.assert(
      fc.property(venueChoice, marketChoice, fc.constantFrom('BTC-PERP', 'ETHUSDT', 'SOLUSDC'), (v, m, dropped) => {
        const params = venueParams(v);
        const full = marketOf(m);
        const marks = new Map(full.marks);
        marks.delete(dropped);
        const market: Market = { ...full, marks };
        const whale: Account = {
          id: 'whale',
          mode: 'cross',
          balances: new Map([['USDT', amount(3n * 10n ** 16n)]]),
          positions: [{ instrument: 'BTCUSDT', size: size(10n ** 17n), entryValue: amount(6n * 10n ** 21n) }],
        };
        const unpriced: Account = {
          id: 'unpriced',
          mode: 'cross',
          balances: new Map([['USDT', amount(10n ** 12n)]]),
          positions: [{ instrument: dropped, size: size(100_000_000n), entryValue: amount(dropped === 'BTC-PERP' ? 1_000n : 10n ** 11n) }],
        };
        const book = RiskBook.fromAccounts(params, market, [whale, unpriced]);
        assertAgrees(book, 0, whale, market, params);
        assertAgrees(book, 1, unpriced, market, params);
        assert.equal(book.status(1), STATUS_UNVALUED);
        assert.equal(book.unvalued.get(1), 'mark_price_missing');
        book.setMark(dropped, full.marks.get(dropped) ?? price(1n));
        book.remargin();
        assertAgrees(book, 1, unpriced, full, params);
      }),
      { seed: 3, numRuns: 30 },
    );
  });
});
