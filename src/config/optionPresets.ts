/**
 * Named option margin parameter sets. Venue parameters change often: these are snapshots for
 * examples and tests, each citing its source, never constants in code.
 */
import type { StandardOptionMarginParams } from '../risk/options/standardMargin.js';

export const OPTION_MARGIN_PRESETS: Readonly<Record<string, StandardOptionMarginParams>> = {
  /**
   * Deribit standard margin for BTC and ETH options (METHODS.md section 3.2): short IM
   * max(0.15 - OTM/S, 0.10) + mark, MM 0.075 + mark; long options need no margin and their value
   * counts in full (no IM haircut).
   */
  deribit: { initialBase: 0.15, initialMin: 0.1, maintenance: 0.075, longInitialHaircut: 0 },
};
