/** An error the CLI reports as one line, with its exit code (2: bad input, 1: failed run). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = "CliError";
  }
}
