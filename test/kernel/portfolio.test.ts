/**
 * Portfolio margin on typed arrays equals the reference: the risk matrix equals
 * `buildRiskArrays` row for row, and a portfolio book's requirements equal
 * `portfolioMarginFromArrays` (worst loss, binding scenario, MM, IM), for every preset model (coin
 * and quote, matrix, tail and SPAN grids) on random markets and portfolios of options, futures,
 * perpetuals and spot. Fixed seeds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildRiskMatrix, PortfolioBook } from '../../src/kernel/portfolio.js';
import { buildRiskArrays, makeScenarioGrid, PM_PRESETS, portfolioMarginFromArrays, type PmPosition } from '../../src/risk/portfolio/index.js';
import { marketArb, positionsArb } from '../risk/portfolio/fixtures.js';

const models = [...PM_PRESETS.values()];

/** Bit-identical, or within 1e-12 relative of the larger magnitude involved (documented slack). */
function same(kernel: number, reference: number, what: string): void {
  if (Object.is(kernel + 0, reference + 0)) return;
  assert.ok(Math.abs(kernel - reference) <= 1e-12 * Math.max(Math.abs(reference), 1e-300), `${what}: kernel ${kernel}, reference ${reference}`);
}

describe('portfolio margin on typed arrays', () => {
  it('builds risk arrays equal to the reference, and margins equal to portfolioMarginFromArrays', () => {
    let accounts = 0;
    let identical = 0;
    let values = 0;
    fc.assert(
      fc.property(
        marketArb.chain((market) => fc.tuple(fc.constant(market), fc.array(positionsArb(market.indexPrice, 8), { minLength: 1, maxLength: 6 }), fc.constantFrom(...models))),
        ([market, portfolios, model]) => {
          const grid = makeScenarioGrid(model.grid);
          const instruments = portfolios.flat().map((p: PmPosition) => p.instrument);
          const reference = buildRiskArrays({ instruments, market, grid, currency: model.currency });
          const matrix = buildRiskMatrix({ instruments, market, grid, currency: model.currency });
          assert.deepEqual(matrix.ids, [...reference.entries.keys()]);
          matrix.ids.forEach((id, i) => {
            const row = reference.entries.get(id)?.losses as Float64Array;
            for (let s = 0; s < matrix.scenarios; s++) {
              const k = matrix.losses[i * matrix.scenarios + s] as number;
              same(k, row[s] as number, `${model.name} ${id} scenario ${s}`);
              values++;
              if (Object.is(k + 0, (row[s] as number) + 0)) identical++;
            }
          });
          const book = new PortfolioBook(matrix);
          for (const positions of portfolios) {
            const a = book.addAccount(positions);
            book.margin(a, model.rule);
            const expected = portfolioMarginFromArrays({ positions, arrays: reference, rule: model.rule });
            same(book.worstLoss[a] as number, expected.worstLoss, `${model.name} worst loss`);
            assert.equal(book.binding[a], expected.binding.scenario.index, `${model.name} binding scenario`);
            same(book.maintenance[a] as number, expected.maintenance, `${model.name} MM`);
            same(book.initial[a] as number, expected.initial, `${model.name} IM`);
            accounts++;
          }
        },
      ),
      { seed: 31, numRuns: 150 },
    );
    assert.ok(accounts > 300, `${accounts} portfolios`);
    assert.equal(identical, values, `risk array values bit-identical: ${identical} of ${values}`);
  });
});
