/**
 * `@topk/backbones`: a registry of image-classification backbones for tfjs-layers, classifier and
 * embedding heads, freezing and discriminative learning rates, and pretrained-weight loading.
 *
 * @packageDocumentation
 */
export type {
  Classifier,
  ClassifierConfig,
  ClassifierOptions,
  HeadConfig,
  HeadModel,
  HeadOptions,
  PoolType,
} from './classifier.js';
export { classifierFromConfig, createClassifier, createHead } from './classifier.js';
export { registerCustomLayers } from './custom-layers.js';
export type { EfficientNetOptions } from './efficientnet.js';
export { UnknownBackboneError } from './errors.js';
export type { FileSystemHandlerOptions } from './file-system-handler.js';
export { fileSystemHandler } from './file-system-handler.js';
export type { ForwardFeaturesOptions } from './forward-features.js';
export { forwardFeatures } from './forward-features.js';
export type { FreezeOptions } from './freezing.js';
export { freeze, freezeTo, frozenGroups, guardFrozenBatchNorm, unfreeze, unfreezeLast } from './freezing.js';
export type { GroupedConv2DArgs } from './grouped-conv2d.js';
export { GroupedConv2D } from './grouped-conv2d.js';
export type { LayerGroupLrOptions } from './lr-multipliers.js';
export { layerGroupLrMultipliers } from './lr-multipliers.js';
export type { MobileNetV2Options } from './mobilenet-v2.js';
export type { ModelSource, TopkModel } from './model-io.js';
export { loadModel, saveModel } from './model-io.js';
export type {
  LoadPretrainedOptions,
  PretrainedReport,
  ShapeMismatch,
  WeightArtifacts,
  WeightsSource,
} from './pretrained.js';
export { loadPretrained } from './pretrained.js';
export type {
  BackboneInfo,
  BackboneOptionsMap,
  BuiltinBackboneName,
  RegisterBackboneOptions,
} from './registry.js';
export {
  createBackbone,
  getBackboneInfo,
  listBackbones,
  registerBackbone,
  unregisterBackbone,
} from './registry.js';
export type { SeededDropoutArgs } from './seeded-dropout.js';
export { SeededDropout } from './seeded-dropout.js';
export type { SimpleCnnOptions } from './simple-cnn.js';
export type {
  Backbone,
  BackboneConfig,
  BackboneDefinition,
  BackboneFactory,
  BackboneOptions,
  DataConfig,
  GroupedModel,
  Interpolation,
  JsonValue,
  LayerGroup,
} from './types.js';
export type { UrlHandlerOptions } from './url-handler.js';
export { urlHandler } from './url-handler.js';
export type { WideResNetOptions } from './wide-resnet.js';
