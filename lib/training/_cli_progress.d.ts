// The part of npm:cli-progress@3.12.0 that training uses, typed here instead of through @types/cli-progress:
// that package pulls in @types/node, whose type references make `deno doc mod.ts` print 82 resolution
// warnings. Checked against cli-progress 3.12.0's lib/single-bar.js and presets/index.js.

/** Options of a bar. */
export interface BarOptions {
  format?: string;
  stream?: unknown;
  clearOnComplete?: boolean;
  hideCursor?: boolean;
}

/** One progress bar. */
export declare class SingleBar {
  constructor(options: BarOptions, preset?: unknown);
  start(total: number, startValue: number): void;
  update(value: number): void;
  stop(): void;
}

/** The bar styles. */
export declare const Presets: { shades_classic: unknown };

declare const cliProgress: { SingleBar: typeof SingleBar; Presets: typeof Presets };
export default cliProgress;
