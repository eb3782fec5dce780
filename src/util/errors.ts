// Errors that carry their exit code, so the CLI maps every failure to the documented codes:
// 2 invalid input, 3 the lab could not be reached or built.
export class LabError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

/** A scenario problem: names the file, the YAML path and what was expected. */
export class ScenarioError extends LabError {
  constructor(readonly file: string, readonly path: string, readonly expected: string) {
    super(`${file}: ${path || '(document)'}: expected ${expected}`, 2);
  }
}

export class InvalidInput extends LabError {
  constructor(message: string) {
    super(message, 2);
  }
}

export class Unreachable extends LabError {
  constructor(message: string) {
    super(message, 3);
  }
}
