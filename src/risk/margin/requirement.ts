/**
 * The rules shared by every linear margin model, applied on top of the model's own figures:
 * - the user's leverage: IM >= notional / leverage (Binance: IM = notional / leverage, the
 *   leverage bounded by the bracket's maximum, which the brackets model expresses as its IM);
 * - minimum margins for any non-zero position;
 * - IM >= MM, so that an account that meets IM always meets MM;
 * - open orders count toward IM worst-case: as if the side that raises the requirement fills.
 */
import { bracketsModel } from './brackets.js';
import { linearInSizeModel } from './linearInSize.js';
import { openInterestScaledModel } from './openInterestScaled.js';
import { sqrtSizeModel } from './sqrtSize.js';
import type { Exposure, LinearMarginModel, LinearMarginSpec, Requirement } from './types.js';

const models = new WeakMap<LinearMarginSpec, LinearMarginModel>();

/** The model function for a spec, built once per spec object (brackets precompute their cum). */
export function marginModelOf(spec: LinearMarginSpec): LinearMarginModel {
  const cached = models.get(spec);
  if (cached !== undefined) return cached;
  const model = buildModel(spec);
  models.set(spec, model);
  return model;
}

function buildModel(spec: LinearMarginSpec): LinearMarginModel {
  switch (spec.model) {
    case 'brackets':
      return bracketsModel(spec.brackets);
    case 'linearInSize':
      return linearInSizeModel(spec);
    case 'sqrtSize':
      return sqrtSizeModel(spec);
    case 'openInterestScaled':
      return openInterestScaledModel(spec);
  }
}

export interface RequirementInput {
  /** The position as it stands: drives MM and IM. */
  readonly position: Exposure;
  /** The position if every buy order filled, and if every sell order filled (for IM only). */
  readonly ifOrdersFill?: readonly Exposure[];
  /** The user's chosen leverage, if any. */
  readonly leverage?: number;
}

export interface PositionRequirement extends Requirement {
  readonly initialRule: string;
  readonly maintenanceRule: string;
}

export function requirementOf(spec: LinearMarginSpec, input: RequirementInput): PositionRequirement {
  const model = marginModelOf(spec);
  const held = withSharedRules(spec, model(input.position), input.position, input.leverage);
  let initial = held.initial;
  let initialRule = held.initialRule;
  for (const exposure of input.ifOrdersFill ?? []) {
    const ifFilled = withSharedRules(spec, model(exposure), exposure, input.leverage);
    if (ifFilled.initial > initial) {
      initial = ifFilled.initial;
      initialRule = `open orders, worst side filled (notional ${exposure.notional}): ${ifFilled.initialRule}`;
    }
  }
  return {
    initial: Math.max(initial, held.maintenance),
    maintenance: held.maintenance,
    rule: held.rule,
    initialRule,
    maintenanceRule: held.maintenanceRule,
  };
}

function withSharedRules(
  spec: LinearMarginSpec,
  raw: Requirement,
  exposure: Exposure,
  leverage: number | undefined,
): PositionRequirement {
  if (exposure.notional === 0 && exposure.underlyingSize === 0) {
    return { initial: 0, maintenance: 0, rule: 'no position', initialRule: 'no position', maintenanceRule: 'no position' };
  }
  let initial = raw.initial;
  let maintenance = raw.maintenance;
  let initialRule = raw.rule;
  let maintenanceRule = raw.rule;
  if (leverage !== undefined && exposure.notional / leverage > initial) {
    initial = exposure.notional / leverage;
    initialRule += `; IM at user leverage ${leverage}x`;
  }
  if (spec.initialMinimum !== undefined && spec.initialMinimum > initial) {
    initial = spec.initialMinimum;
    initialRule += `; IM minimum ${spec.initialMinimum}`;
  }
  if (spec.maintenanceMinimum !== undefined && spec.maintenanceMinimum > maintenance) {
    maintenance = spec.maintenanceMinimum;
    maintenanceRule += `; MM minimum ${spec.maintenanceMinimum}`;
  }
  if (maintenance > initial) {
    initial = maintenance;
    initialRule += '; IM raised to MM';
  }
  return { initial, maintenance, rule: raw.rule, initialRule, maintenanceRule };
}

/** The largest leverage a position of this exposure may use (the bracket's maximum, if any). */
export function leverageMaxOf(spec: LinearMarginSpec, exposure: Exposure): number | undefined {
  if (spec.model !== 'brackets') return undefined;
  const { initial } = marginModelOf(spec)(exposure);
  return initial > 0 ? exposure.notional / initial : undefined;
}
