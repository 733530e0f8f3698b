"""The minimum wage calculator of a case: pay periods in, arrears and their working out."""
