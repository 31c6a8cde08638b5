import { TopkError } from '@topk/core';

/**
 * `createBackbone` or `getBackboneInfo` was given a name that is not registered. The message suggests the
 * closest registered names: `Unknown backbone: resnet51 (did you mean resnet50?)`.
 */
export class UnknownBackboneError extends TopkError {
  /** The name that was asked for. */
  readonly backbone: string;
  /** The closest registered names, closest first (empty when none is close). */
  readonly suggestions: readonly string[];

  constructor(backbone: string, suggestions: readonly string[], known: readonly string[]) {
    const hint =
      suggestions.length > 0
        ? `did you mean ${suggestions.join(', ')}?`
        : `registered backbones: ${known.join(', ')}`;
    super('UNKNOWN_BACKBONE', `Unknown backbone: ${backbone} (${hint})`);
    this.backbone = backbone;
    this.suggestions = suggestions;
  }
}
