/**
 * Laws of the linear margin models and of `requirementOf` (src/risk/margin), for every model and
 * random parameters of the kind a document can hold.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { MARGIN_PRESETS } from '../../../src/config/presets.js';
import {
  bracketsModel,
  marginModelOf,
  openInterestScaledModel,
  requirementOf,
  resolveBrackets,
  sqrtSizeModel,
  type Bracket,
  type Exposure,
  type LinearMarginSpec,
} from '../../../src/risk/margin/index.js';
import { amountFromNumber } from '../../../src/risk/units/index.js';
import { bracketTable, exposureAt, marginSpec, openInterest, sizeUnits, unitPrice } from './arbitraries.js';

// Report the failing assertion's message with the counterexample.
fc.configureGlobal({ includeErrorInReport: true });

const leverage = fc.option(fc.integer({ min: 1, max: 125 }), { nil: undefined });

function requirement(spec: LinearMarginSpec, position: Exposure, ifOrdersFill: readonly Exposure[] = [], lev?: number) {
  return requirementOf(spec, { position, ifOrdersFill, ...(lev === undefined ? {} : { leverage: lev }) });
}

/** The float64 just below x (x > 0): the left limit of a step function at x, as near as floats get. */
function justBelow(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) - 1n);
  return view.getFloat64(0);
}

describe('initial margin covers maintenance', () => {
  test('every model with venue-consistent parameters gives IM >= MM >= 0 on its own', () => {
    fc.assert(
      fc.property(marginSpec(true), sizeUnits, unitPrice, openInterest, (spec, size, p, oi) => {
        const r = marginModelOf(spec)(exposureAt(size, p, oi));
        assert.ok(r.maintenance >= 0, `MM ${r.maintenance} < 0`);
        assert.ok(r.initial >= r.maintenance, `${spec.model}: IM ${r.initial} < MM ${r.maintenance}`);
      }),
      { seed: 301, numRuns: 1500 },
    );
  });

  test('requirementOf gives IM >= MM >= 0 for any parameters, leverage, minimums and open orders', () => {
    fc.assert(
      fc.property(
        marginSpec(false),
        sizeUnits,
        unitPrice,
        openInterest,
        fc.array(sizeUnits, { maxLength: 2 }),
        leverage,
        (spec, size, p, oi, orderSizes, lev) => {
          const r = requirement(spec, exposureAt(size, p, oi), orderSizes.map((s) => exposureAt(s, p, oi)), lev);
          assert.ok(r.maintenance >= 0);
          assert.ok(r.initial >= r.maintenance, `IM ${r.initial} < MM ${r.maintenance} (${r.initialRule})`);
          if (lev !== undefined) assert.ok(r.initial >= (Math.abs(size) * p) / lev - 1e-9 * Math.abs(size) * p);
        },
      ),
      { seed: 302, numRuns: 1500 },
    );
  });

  test('a flat position needs nothing, whatever the minimums', () => {
    fc.assert(
      fc.property(marginSpec(false), openInterest, (spec, oi) => {
        const r = requirement(spec, exposureAt(0, 1, oi));
        assert.equal(r.initial, 0);
        assert.equal(r.maintenance, 0);
      }),
      { seed: 303, numRuns: 300 },
    );
  });

  test('minimum margins apply to any non-zero position', () => {
    const spec: LinearMarginSpec = { model: 'linearInSize', initialRate: 0.02, maintenanceRate: 0.01, initialRatePerUnit: 0, maintenanceRatePerUnit: 0, initialMinimum: 50, maintenanceMinimum: 20 };
    const tiny = requirement(spec, exposureAt(0.001, 100, 0));
    assert.equal(tiny.initial, 50);
    assert.equal(tiny.maintenance, 20);
    const large = requirement(spec, exposureAt(100, 100, 0));
    assert.equal(large.initial, 200);
    assert.equal(large.maintenance, 100);
  });
});

describe('requirements never fall as the position grows', () => {
  test('IM and MM never fall as |size| grows, for every model (no open orders)', () => {
    fc.assert(
      fc.property(marginSpec(false), sizeUnits, sizeUnits, unitPrice, openInterest, leverage, (spec, a, b, p, oi, lev) => {
        const [small, large] = a <= b ? [a, b] : [b, a];
        const rs = requirement(spec, exposureAt(small, p, oi), [], lev);
        const rl = requirement(spec, exposureAt(large, p, oi), [], lev);
        assert.ok(rl.maintenance >= rs.maintenance, `MM fell from ${rs.maintenance} to ${rl.maintenance} (${rl.rule})`);
        assert.ok(rl.initial >= rs.initial, `IM fell from ${rs.initial} to ${rl.initial} (${rl.initialRule})`);
      }),
      { seed: 311, numRuns: 2000 },
    );
  });

  test('IM and MM never fall across every bracket floor of the published tables', () => {
    for (const name of ['binance-btcusdt', 'hyperliquid-tiers']) {
      const spec = MARGIN_PRESETS[name];
      assert.ok(spec !== undefined && spec.model === 'brackets');
      const notionals = spec.brackets.flatMap((b) => (b.notionalFloor === 0 ? [0, 1] : [justBelow(b.notionalFloor), b.notionalFloor, b.notionalFloor * 1.5]));
      notionals.push(1e9, 1e12);
      notionals.sort((x, y) => x - y);
      // Compared as the amounts they become (rounded up to 1e-8): in float64 the maintenance
      // amounts carry representation error (Hyperliquid's cum 75 + 50,000 x (0.05 - 0.02) is
      // 1,575.0000000000002), so MM at the 50k floor is one ulp (1e-13) below MM just under it.
      // That never reaches a ledger unit, and the law is about money.
      let previous = { initial: 0n, maintenance: 0n };
      for (const n of notionals) {
        const r = requirement(spec, { notional: n, underlyingSize: n / 50_000, openInterestNotional: 0 });
        const current = { initial: amountFromNumber(r.initial, 'ceil'), maintenance: amountFromNumber(r.maintenance, 'ceil') };
        assert.ok(current.maintenance >= previous.maintenance, `${name}: MM fell at ${n}`);
        assert.ok(current.initial >= previous.initial, `${name}: IM fell at ${n}`);
        assert.ok(r.maintenance >= 0);
        previous = current;
      }
    }
  });

  // With open orders the naive law "IM never falls as |size| grows" is false, and rightly so: a long
  // of 1 with a resting sell of 10 may become short 9, a flat position with the same order short 10.
  // The laws that hold: orders count as the worst side filled, IM never falls as the position grows
  // in the direction its orders push it or as either order grows, and MM ignores orders.
  const orders = fc.tuple(sizeUnits, sizeUnits);

  test('with open orders, IM is the worst of the position and each side filled; MM ignores orders', () => {
    fc.assert(
      fc.property(marginSpec(false), fc.boolean(), sizeUnits, orders, unitPrice, openInterest, leverage, (spec, long, magnitude, [buy, sell], p, oi, lev) => {
        const x = long ? magnitude : -magnitude;
        const withOrders = requirement(spec, exposureAt(x, p, oi), [exposureAt(x + buy, p, oi), exposureAt(x - sell, p, oi)], lev);
        const alone = [x, x + buy, x - sell].map((s) => requirement(spec, exposureAt(s, p, oi), [], lev));
        const held = alone[0];
        assert.ok(held !== undefined);
        assert.equal(withOrders.maintenance, held.maintenance);
        assert.equal(withOrders.initial, Math.max(held.maintenance, ...alone.map((r) => r.initial)));
        assert.ok(withOrders.initial >= held.initial);
      }),
      { seed: 312, numRuns: 1500 },
    );
  });

  test('with open orders, IM never falls as the position grows toward its orders or as the orders grow', () => {
    fc.assert(
      fc.property(
        marginSpec(false),
        fc.boolean(),
        sizeUnits,
        sizeUnits,
        orders,
        orders,
        unitPrice,
        openInterest,
        leverage,
        (spec, long, a, b, [buy1, sell1], [buy2, sell2], p, oi, lev) => {
          const im = (x: number, buy: number, sell: number) =>
            requirement(spec, exposureAt(x, p, oi), [exposureAt(x + buy, p, oi), exposureAt(x - sell, p, oi)], lev).initial;
          const [small, large] = a <= b ? [a, b] : [b, a];
          // Grow the position with only same-side orders resting (buys for a long, sells for a short).
          if (long) assert.ok(im(large, buy1, 0) >= im(small, buy1, 0), 'long with buy orders');
          else assert.ok(im(-large, 0, sell1) >= im(-small, 0, sell1), 'short with sell orders');
          // Grow the orders at a fixed position.
          const x = long ? a : -a;
          assert.ok(im(x, Math.max(buy1, buy2), Math.max(sell1, sell2)) >= im(x, Math.min(buy1, buy2), Math.min(sell1, sell2)), 'orders grew');
        },
      ),
      { seed: 313, numRuns: 1500 },
    );
  });
});

describe('maintenance margin is continuous', () => {
  function assertContinuousAtFloors(brackets: readonly Bracket[], label: string): void {
    const model = bracketsModel(brackets);
    for (const b of brackets) {
      if (b.notionalFloor === 0) continue;
      const left = model({ notional: justBelow(b.notionalFloor), underlyingSize: 0, openInterestNotional: 0 }).maintenance;
      const at = model({ notional: b.notionalFloor, underlyingSize: 0, openInterestNotional: 0 }).maintenance;
      const right = model({ notional: b.notionalFloor * (1 + 1e-15), underlyingSize: 0, openInterestNotional: 0 }).maintenance;
      const tolerance = 1e-9 * Math.max(at, 1e-9);
      assert.ok(Math.abs(at - left) <= tolerance, `${label}: MM jumps at ${b.notionalFloor}: ${left} -> ${at}`);
      assert.ok(Math.abs(right - at) <= tolerance, `${label}: MM jumps just above ${b.notionalFloor}: ${at} -> ${right}`);
    }
  }

  test('MM is continuous at every bracket floor of the published tables', () => {
    for (const name of ['binance-btcusdt', 'hyperliquid-tiers']) {
      const spec = MARGIN_PRESETS[name];
      assert.ok(spec !== undefined && spec.model === 'brackets');
      assertContinuousAtFloors(spec.brackets, name);
    }
  });

  test('MM is continuous at every bracket floor of random tables (left and right limits within 1e-9 relative)', () => {
    fc.assert(
      fc.property(bracketTable(false), (table) => assertContinuousAtFloors(table, JSON.stringify(table))),
      { seed: 321, numRuns: 1500 },
    );
  });

  test('the maintenance amount of each bracket is what makes MM continuous: cum_k = cum_(k-1) + floor_k x (MMR_k - MMR_(k-1))', () => {
    fc.assert(
      fc.property(bracketTable(false), (table) => {
        const resolved = resolveBrackets(table);
        resolved.forEach((b, k) => {
          const previous = resolved[k - 1];
          if (previous === undefined) return assert.equal(b.maintenanceAmount, 0);
          // Both sides of the floor give the same MM.
          const below = b.notionalFloor * previous.maintenanceRate - previous.maintenanceAmount;
          const above = b.notionalFloor * b.maintenanceRate - b.maintenanceAmount;
          assert.ok(Math.abs(above - below) <= 1e-9 * Math.max(1, Math.abs(below)));
        });
      }),
      { seed: 322, numRuns: 500 },
    );
  });

  test('the size premium and open-interest scaling are continuous at their kinks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50_000 }), fc.integer({ min: 1, max: 1_000 }), unitPrice, (baseTenthsBp, imf, p) => {
        const base = baseTenthsBp / 100_000;
        const imfFactor = imf / 1_000_000;
        const model = sqrtSizeModel({ initialRate: base, maintenanceRate: base, imfFactor });
        // The premium takes over where 0.8 base + imf sqrt(size) = base: size = (0.2 base / imf)^2.
        const kink = ((0.2 * base) / imfFactor) ** 2;
        const left = model(exposureAt(kink * (1 - 1e-12), p, 0)).maintenance;
        const right = model(exposureAt(kink * (1 + 1e-12), p, 0)).maintenance;
        assert.ok(Math.abs(right - left) <= 1e-9 * Math.max(left, 1e-9));
      }),
      { seed: 323, numRuns: 300 },
    );
    const scaled = openInterestScaledModel({ initialRate: 0.2, maintenanceFraction: 0.5, openInterestLower: 1e12, openInterestUpper: 2e12 });
    for (const oi of [1e12, 2e12]) {
      const left = scaled({ notional: 500_000, underlyingSize: 10, openInterestNotional: oi * (1 - 1e-12) }).initial;
      const right = scaled({ notional: 500_000, underlyingSize: 10, openInterestNotional: oi * (1 + 1e-12) }).initial;
      assert.ok(Math.abs(right - left) <= 1e-9 * left);
    }
  });

  test('IM never falls as open interest grows (dYdX scaling)', () => {
    fc.assert(
      fc.property(marginSpec(false), sizeUnits, unitPrice, openInterest, openInterest, (spec, size, p, o1, o2) => {
        const [low, high] = o1 <= o2 ? [o1, o2] : [o2, o1];
        assert.ok(requirement(spec, exposureAt(size, p, high)).initial >= requirement(spec, exposureAt(size, p, low)).initial);
      }),
      { seed: 324, numRuns: 500 },
    );
  });
});
