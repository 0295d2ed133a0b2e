/**
 * The book's record layout (no imports: no cycles). Positions, asset slots and accounts are records
 * of float64 fields in three Float64Arrays, not one array per field: a tick reads a handful of
 * fields of each position and account it touches, at random places in memory, and a record brings
 * them in together (one 64-byte cache line for a position's hot fields, one for an asset slot,
 * three for an account) where a column layout would miss the cache once per field. The sweep reads
 * the same records in order. Small integers (indices, counts, flags) are stored as exact float64
 * integers; a few are packed into one field and read with 32-bit integer operations.
 */

/**
 * Position record: 8 hot fields, one cache line, what a tick and the sweep read and write; its
 * other fields live at the same offset in a parallel "cold" record (RiskBook.cold), read only for
 * positions with orders, a leverage, a lagged mark or an isolated pool, and by the ledger setters.
 */
export const P_STRIDE = 8;
export const P_INSTRUMENT = 0;
/** flags | (cross asset slot + 1) << 8 | bracket << 16 (see positionBits). */
export const P_BITS = 1;
export const P_ACCOUNT = 2;
/** toNumber(size) x toNumber(contractSize), signed: the reference's exposure quantity before |.|. */
export const P_QUANTITY = 3;
export const P_ENTRY = 4;
export const P_PNL = 5;
export const P_INITIAL = 6;
export const P_MAINTENANCE = 7;
// Cold record fields (same stride, RiskBook.cold).
export const P_PNL_LAGGED = 0;
export const P_INDEX_SLOT = 1;
export const P_SIZE = 2;
export const P_ISOLATED = 3;
export const P_BUY = 4;
export const P_SELL = 5;
/** User leverage; NaN for none. */
export const P_LEVERAGE = 6;

/** Position flags (low 8 bits of P_BITS). */
export const POSITION_ISOLATED = 1;
/** The engine holds a position (not only resting orders) in this instrument. */
export const POSITION_HELD = 2;
/** Resting orders on either side, or a user leverage: the requirement takes the general path. */
export const POSITION_ORDERS = 4;
export const POSITION_LEVERAGE = 8;

export const positionBits = (flags: number, assetSlot: number, bracket: number): number => flags | ((assetSlot + 1) << 8) | (bracket << 16);
export const flagsOf = (bits: number): number => bits & 0xff;
/** The cross pool asset slot (relative to the account's block) of the settlement asset; -1 when isolated. */
export const assetSlotOf = (bits: number): number => ((bits >> 8) & 0xff) - 1;
export const bracketOf = (bits: number): number => (bits >>> 16) & 0xff;

/** Asset slot record: 8 fields, one cache line. Sums over the cross positions settled in the slot's asset. */
export const S_STRIDE = 8;
export const S_BALANCE = 0;
export const S_PNL = 1;
export const S_PNL_INITIAL = 2;
export const S_PNL_MAINTENANCE = 3;
export const S_ABS = 4;
export const S_SIZE = 5;
export const S_COST = 6;
/** open positions | positions << 12 | asset << 24: both counts change by one packed addition. */
export const S_PACKED = 7;
export const SLOT_OPEN = 1;
export const SLOT_USED = 1 << 12;
export const slotOpen = (packed: number): number => packed & 0xfff;
export const slotUsed = (packed: number): number => (packed >>> 12) & 0xfff;
export const slotAsset = (packed: number): number => packed >>> 24;

/** Account record: 24 fields, three cache lines (the first is what a tick's delta reads). */
export const A_STRIDE = 24;
export const A_FLAGS = 0;
export const A_POSITION_OFFSET = 1;
export const A_POSITION_COUNT = 2;
export const A_ASSET_OFFSET = 3;
export const A_ASSET_COUNT = 4;
/** Cross-pool sums (aggregate.ts): IM, MM, open, cross and isolated position counts. */
export const A_AGG_INITIAL = 5;
export const A_AGG_MAINTENANCE = 6;
export const A_AGG_OPEN = 7;
export const A_AGG_CROSS = 8;
export const A_AGG_ISOLATED = 9;
export const A_EPOCH = 10;
export const A_STATUS = 11;
/** The lowest pool's MM collateral / MM; NaN when no pool has MM (the reference's null). */
export const A_RATIO = 12;
/** The cross pool's IM and IM collateral, the isolated pools' summed IM shortfall (pre-trade). */
export const A_CROSS_INITIAL = 13;
export const A_CROSS_COLLATERAL = 14;
export const A_ISOLATED_SHORTFALL = 15;
/** Error bound of A_CROSS_COLLATERAL - A_CROSS_INITIAL - A_ISOLATED_SHORTFALL (0: exact). */
export const A_COVER_ERROR = 16;
export const A_EQUITY = 17;
export const A_INITIAL = 18;
export const A_MAINTENANCE = 19;
export const A_COLLATERAL_INITIAL = 20;
export const A_COLLATERAL_MAINTENANCE = 21;
export const A_POSITION_CAPACITY = 22;
export const A_ASSET_CAPACITY = 23;

/** Account flags (A_FLAGS). */
export const ACCOUNT_WIDE = 1;
export const ACCOUNT_PENDING = 2;
/** The cross-pool sums must be recomputed from the position records (a ledger change, or a failed delta). */
export const ACCOUNT_REAGGREGATE = 4;
/** The sums reached the range where deltas could round: always re-aggregated (aggregate.ts). */
export const ACCOUNT_LARGE = 8;
export const ACCOUNT_ISOLATED_MODE = 16;
/** The account is in the liquidation queue (spares the queue's arrays a cache miss per valuation). */
export const ACCOUNT_QUEUED = 32;

/** Limits (STYLE.md habit 10); the engine's own are lower (200 positions per account). */
export const KERNEL_POSITIONS_PER_ACCOUNT_MAX = 4_095;
export const KERNEL_ASSETS_PER_ACCOUNT_MAX = 64;
/** Asset indices must fit the packed slot field (8 bits). */
export const KERNEL_ASSETS_MAX = 255;
