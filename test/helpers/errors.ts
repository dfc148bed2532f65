import { BadUserInputError } from "../../src/errors";

/** The `field` of the BadUserInputError that `work` throws; fails the test if it throws anything else or nothing. */
export function fieldOf(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(BadUserInputError);
    return (error as BadUserInputError).extensions.field;
  }
  throw new Error("expected a BadUserInputError");
}
