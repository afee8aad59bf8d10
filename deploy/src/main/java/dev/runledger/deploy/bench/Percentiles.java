package dev.runledger.deploy.bench;

/**
 * Latency percentiles in milliseconds (NaN without samples).
 *
 * @param p50Millis the median
 * @param p95Millis the 95th percentile
 * @param p99Millis the 99th percentile
 */
public record Percentiles(double p50Millis, double p95Millis, double p99Millis) {}
