import { oneLine, UserError } from '../errors.js';
import { MNIST_FILES } from '../nets/mnist.js';

/** The models shipped with the package, by `builtin:NAME`: each an ONNX file in `models/`. */
export const BUILTIN_MODELS: Readonly<Record<string, string>> = {
  mnist: MNIST_FILES.model,
};

/**
 * The ONNX file behind `builtin:NAME`.
 * @throws UserError (exit 2) naming the unknown model and listing the known ones.
 */
export function builtinModelPath(name: string): string {
  if (!Object.hasOwn(BUILTIN_MODELS, name)) {
    const known = Object.keys(BUILTIN_MODELS)
      .map((k) => `builtin:${k}`)
      .join(', ');
    throw new UserError(
      `--model builtin:${oneLine(name)}: no such bundled model (known: ${known})`,
    );
  }
  return BUILTIN_MODELS[name];
}
