/**
 * spanrec — recover, from queries alone, the row span of a black-box network's first weight
 * matrix (Jayaram, Woodruff & Zhang, ICLR 2020), and measure it.
 *
 * Typical use:
 * ```ts
 * import { OnnxOracle, recoverSpan } from 'spanrec';
 * const model = await OnnxOracle.create('net.onnx');
 * const { result, queries, complete } = await recoverSpan(model, { budget: 100_000 });
 * await model.dispose();
 * ```
 * @packageDocumentation
 */

export {
  UserError,
  BudgetExhaustedError,
  EXIT_OK,
  EXIT_FAILURE,
  EXIT_USAGE,
  EXIT_BUDGET,
} from './errors.js';
export type { Matrix } from './linalg/matrix.js';
export { Rng } from './random/rng.js';

export type { Oracle, Precision } from './oracle/oracle.js';
export { OnnxOracle } from './oracle/onnxOracle.js';
export { CmdOracle } from './oracle/cmdOracle.js';
export { NetworkOracle } from './oracle/networkOracle.js';
export { ForwardingOracle } from './oracle/forwardingOracle.js';
export { checkQueryInput } from './oracle/queryInput.js';
export { AccessOracle, parseAccess, formatAccess, type AccessLevel } from './oracle/access.js';
export { CountingOracle } from './oracle/countingOracle.js';
export { BudgetOracle } from './oracle/budgetOracle.js';
export { PrecisionOverride } from './oracle/precisionOverride.js';
export { buildOracleStack, type OracleStack } from './oracle/stack.js';
export { parseModelSpec, openModel, type ModelSpec, type OpenModelOptions } from './oracle/spec.js';

export {
  recoverSpan,
  type RecoverSpanOptions,
  type RecoverySummary,
} from './recover/recoverSpan.js';
export {
  defineMethod,
  type RecoveryMethod,
  type MethodDefinition,
  type MethodOption,
  type InputsOption,
  type AnyMethodOption,
  type MethodOptionValues,
} from './recover/method.js';
export {
  listMethods,
  registerMethod,
  unregisterMethod,
  resolveMethod,
  methodNames,
} from './recover/registry.js';
export {
  recoverByGradients,
  gradientMethod,
  type GradientOptions,
  type GradientDetails,
} from './recover/gradient.js';
export {
  certify,
  type Certificate,
  type CertifyOptions,
  type Verdict,
} from './recover/certificate.js';
export type {
  RecoveryResult,
  MethodDetails,
  ProgressEvent,
  ProgressListener,
  StopReason,
} from './recover/result.js';

export { svd } from './linalg/svd.js';
export { orthonormalRows } from './linalg/orthonormal.js';
export { principalAngles, compareSubspaces } from './linalg/principalAngles.js';
export { selectRank, selectRankAboveNoise } from './linalg/rank.js';

export { randomNetwork, type RandomNetworkOptions } from './nets/randomNetwork.js';
export { forward, type Network, type DenseLayer, type Activation } from './nets/network.js';
export type { Head } from './nets/head.js';
export type { LayerNorm } from './nets/layerNorm.js';
export { inputGradient } from './nets/inputGradient.js';
export { networkToOnnx, writeNetworkOnnx } from './nets/onnxExport.js';
export {
  MNIST_FILES,
  MNIST_INPUT_DIM,
  MNIST_CLASSES,
  MNIST_FIRST_WIDTH,
  loadMnistHoldout,
  loadMnistFirstLayer,
  type MnistFiles,
  type MnistHoldout,
} from './nets/mnist.js';
export { BUILTIN_MODELS, builtinModelPath } from './oracle/builtinModels.js';
export { encodeNpy, decodeNpy, readNpyMatrix, writeNpy } from './io/npy.js';

export {
  obfuscate,
  plainNoise,
  DEFAULT_OBFUSCATION_SCALE,
  type ObfuscationOptions,
  type Obfuscated,
} from './attack/obfuscate.js';
export { projectOntoSpanAndBox, type BoxProjection } from './attack/boxProjection.js';
export { parseBox, type Box } from './attack/box.js';
export {
  evaluateObfuscation,
  type ObfuscationEvaluation,
  type DistortionSummary,
} from './attack/evaluateObfuscation.js';
export { obfuscationGrid, type ImageShape } from './attack/obfuscationGrid.js';
export { encodeGreyPng, decodeGreyPng, type GreyImage } from './io/png.js';
