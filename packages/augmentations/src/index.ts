/**
 * `@topk/augmentations`: seeded, replayable image augmentations on tfjs tensors (any backend), their
 * compositions and presets, mixup/cutmix, and test-time augmentation.
 *
 * @packageDocumentation
 */
export type { AffineOptions, AffineParams } from './affine.js';
export { affine } from './affine.js';
export type { BrightnessOptions, BrightnessParams } from './brightness.js';
export { brightness } from './brightness.js';
export type { BrightnessContrastOptions, BrightnessContrastParams } from './brightness-contrast.js';
export { brightnessContrast } from './brightness-contrast.js';
export type { ChannelShuffleOptions, ChannelShuffleParams } from './channel-shuffle.js';
export { channelShuffle } from './channel-shuffle.js';
export type { CoarseDropoutOptions, CoarseDropoutParams } from './coarse-dropout.js';
export { coarseDropout } from './coarse-dropout.js';
export type { ComposeOptions } from './compose.js';
export { compose } from './compose.js';
export type { ContrastOptions, ContrastParams } from './contrast.js';
export { contrast } from './contrast.js';
export type { CropAndPadOptions, CropAndPadParams } from './crop-and-pad.js';
export { cropAndPad } from './crop-and-pad.js';
export type { ElasticOptions, ElasticParams } from './elastic.js';
export { elastic } from './elastic.js';
export type { FogOptions, FogParams } from './fog.js';
export { fog } from './fog.js';
export type { GammaOptions, GammaParams } from './gamma.js';
export { gamma } from './gamma.js';
export type { GaussianBlurOptions, GaussianBlurParams } from './gaussian-blur.js';
export { gaussianBlur } from './gaussian-blur.js';
export type { GaussianNoiseOptions, GaussianNoiseParams } from './gaussian-noise.js';
export { gaussianNoise } from './gaussian-noise.js';
export type { GrayscaleOptions } from './grayscale.js';
export { grayscale } from './grayscale.js';
export type { GridDistortionOptions, GridDistortionParams } from './grid-distortion.js';
export { gridDistortion } from './grid-distortion.js';
export type { EmptyParams, HorizontalFlipOptions } from './horizontal-flip.js';
export { horizontalFlip } from './horizontal-flip.js';
export type { HueSaturationValueOptions, HueSaturationValueParams } from './hue-saturation-value.js';
export { hueSaturationValue } from './hue-saturation-value.js';
export type { JpegQualityOptions, JpegQualityParams } from './jpeg-quality.js';
export { jpegQuality } from './jpeg-quality.js';
export type { LeafTransform } from './leaf.js';
export type { MedianBlurOptions, MedianBlurParams } from './median-blur.js';
export { medianBlur } from './median-blur.js';
export type {
  CutmixOptions,
  MixOptions,
  MixParams,
  MixResult,
  MixupOptions,
  ReplayMixOptions,
} from './mix.js';
export { cutmix, mixup, replayMix } from './mix.js';
export type { MotionBlurOptions, MotionBlurParams } from './motion-blur.js';
export { motionBlur } from './motion-blur.js';
export type { OcclusionFill } from './occlusion.js';
export type { OneOfOptions } from './one-of.js';
export { oneOf } from './one-of.js';
export type { PerspectiveOptions, PerspectiveParams } from './perspective.js';
export { perspective } from './perspective.js';
export type { PosterizeOptions, PosterizeParams } from './posterize.js';
export { posterize } from './posterize.js';
export type { StandardOptions } from './presets.js';
export { heavy, light, standard } from './presets.js';
export type { RainOptions, RainParams } from './rain.js';
export { rain } from './rain.js';
export type { RandomErasingOptions, RandomErasingParams } from './random-erasing.js';
export { randomErasing } from './random-erasing.js';
export type { RandomOrderOptions } from './random-order.js';
export { randomOrder } from './random-order.js';
export type { CropBoxParams, RandomResizedCropOptions } from './random-resized-crop.js';
export { randomResizedCrop } from './random-resized-crop.js';
export type { TransformDefinition, TransformKind } from './registry.js';
export { listTransforms, TRANSFORMS, transformFromConfig } from './registry.js';
export type { RgbShiftOptions, RgbShiftParams } from './rgb-shift.js';
export { rgbShift } from './rgb-shift.js';
export type { RotateOptions, RotateParams } from './rotate.js';
export { rotate } from './rotate.js';
export type { SharpenOptions, SharpenParams } from './sharpen.js';
export { sharpen } from './sharpen.js';
export type { SolarizeOptions, SolarizeParams } from './solarize.js';
export { solarize } from './solarize.js';
export type { SomeOfOptions } from './some-of.js';
export { someOf } from './some-of.js';
export type { CropSize, TtaOptions, TtaPolicy, TtaResult, TtaViewOptions } from './tta.js';
export { aggregatePredictions, tta, ttaViews } from './tta.js';
export type {
  ApplyOptions,
  AugmentResult,
  BatchShape,
  CommonOptions,
  CompositionName,
  CompositionParams,
  CompositionStep,
  FillOptions,
  ImageParams,
  JsonValue,
  LeafParams,
  ParamValue,
  ReplayOptions,
  SampleOptions,
  Stage,
  Transform,
  TransformConfig,
  TransformName,
  TransformParams,
} from './types.js';
export type { VerticalFlipOptions } from './vertical-flip.js';
export { verticalFlip } from './vertical-flip.js';
export type { WarpOptions, WarpParams } from './warp.js';
export { warp } from './warp.js';
export type { ZoomOptions, ZoomParams } from './zoom.js';
export { zoom } from './zoom.js';
