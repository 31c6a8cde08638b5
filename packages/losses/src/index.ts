/**
 * `@topk/losses`: classification and metric-learning losses for TensorFlow.js, written with tf ops only
 * (every backend) in numerically stable forms.
 *
 * @packageDocumentation
 */
export type { AdditiveAngularMarginParams, ArcFaceConfig, ArcFaceOptions } from './arc-face.js';
export { ArcFace, additiveAngularMargin } from './arc-face.js';
export type { AsymmetricLossConfig, AsymmetricLossOptions } from './asymmetric-loss.js';
export { asymmetricLoss } from './asymmetric-loss.js';
export type { BinaryCrossEntropyConfig, BinaryCrossEntropyOptions } from './binary-cross-entropy.js';
export { binaryCrossEntropy } from './binary-cross-entropy.js';
export type { BinaryFocalLossConfig, BinaryFocalLossOptions } from './binary-focal-loss.js';
export { binaryFocalLoss } from './binary-focal-loss.js';
export type { ContrastiveLossConfig, ContrastiveLossOptions } from './contrastive-loss.js';
export { contrastiveLoss } from './contrastive-loss.js';
export type { CosFaceConfig, CosFaceOptions } from './cos-face.js';
export { CosFace } from './cos-face.js';
export type { CrossEntropyConfig, CrossEntropyOptions } from './cross-entropy.js';
export { crossEntropy } from './cross-entropy.js';
export type { EmbeddingDistance } from './distances.js';
export type { FocalLossConfig, FocalLossOptions } from './focal-loss.js';
export { focalLoss } from './focal-loss.js';
export type { LossConfig, LossFunction, LossType } from './loss.js';
export { LOSS_TYPES, lossFromConfig } from './loss-from-config.js';
export type { MarginSoftmaxConfig } from './margin-softmax-loss.js';
export { MarginSoftmaxLoss } from './margin-softmax-loss.js';
export type { ReducedLoss, Reduction } from './reduction.js';
export type {
  SoftTargetCrossEntropyConfig,
  SoftTargetCrossEntropyOptions,
} from './soft-target-cross-entropy.js';
export { softTargetCrossEntropy } from './soft-target-cross-entropy.js';
export type { TripletLossConfig, TripletLossOptions, TripletMining } from './triplet-loss.js';
export { tripletLoss } from './triplet-loss.js';
