package dev.rloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The benchmark tables README.md and docs/ show are the ones {@code benchmarks/render} makes from
 * {@code benchmarks/results/}: a figure edited by hand, or a results file committed without
 * rendering, fails here with the file and section that differ.
 */
class BenchmarkTablesTest {
    @Test
    void theDocumentsTablesAreRenderedFromTheNewestResults() throws IOException, InterruptedException {
        Process render;
        try {
            render = new ProcessBuilder(List.of("python3", "benchmarks/render", "--check"))
                    .redirectErrorStream(true).start();
        } catch (IOException noPython) {
            assumeTrue(false, "benchmarks/render needs python3 on PATH: " + noPython.getMessage());
            return;
        }
        render.getOutputStream().close();
        String out = new String(render.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(true, render.waitFor(60, TimeUnit.SECONDS), "benchmarks/render --check did not finish");
        assertEquals(0, render.exitValue(), "benchmarks/render --check: " + out);
    }
}
