// Prints one closing line that CI reads: "N passed, N failed[, N skipped]".
// Jest always adds its own summary reporter after the configured ones, so the
// line is written when the process exits: it is then the last line of output.
// A suite that fails to run (a syntax error, a throw at import) counts as a
// failed test, so a broken file can never look like a green run.
class SummaryLineReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
    // The real clients suite says once, just above the closing line, that it was skipped and how to run it.
    process.once('exit', () => {
      if (process.env.CLIENTS_SKIPPED !== undefined) process.stderr.write(`${process.env.CLIENTS_SKIPPED}\n`);
      process.stderr.write(`${line}\n`);
    });
  }
}
module.exports = SummaryLineReporter;
