package dev.rloop.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequirementsTest {
    @TempDir
    Path dir;

    @Test
    void theHashNamesTheSetNotItsFiles() throws IOException {
        Path file = Files.writeString(dir.resolve("requirements.txt"), "h11==0.14.0\n");
        Requirements set = new Requirements(List.of("demo-dep==1.0"), file, List.of("--no-index"));
        String hash = set.hash("graalpy-25.0.3");
        assertTrue(hash.matches("[0-9a-f]{16}"), hash);
        assertEquals(hash, new Requirements(List.of(" demo-dep==1.0 ", ""), file, List.of("--no-index"))
                .hash("graalpy-25.0.3"), "blank entries and surrounding spaces are not part of the set");

        // touched but unchanged, or copied elsewhere: the same set
        Files.setLastModifiedTime(file, FileTime.fromMillis(0));
        Path copy = Files.copy(file, dir.resolve("other.txt"));
        assertEquals(hash, new Requirements(List.of("demo-dep==1.0"), copy, List.of("--no-index")).hash("graalpy-25.0.3"));

        // anything that changes what pip installs, or the runtime it installs for, is another set
        Files.writeString(file, "h11==0.13.0\n");
        assertNotEquals(hash, set.hash("graalpy-25.0.3"));
        Files.writeString(file, "h11==0.14.0\n");
        assertEquals(hash, set.hash("graalpy-25.0.3"));
        assertNotEquals(hash, set.hash("graalpy-25.1.0"));
        assertNotEquals(hash, new Requirements(List.of("demo-dep==1.1"), file, List.of("--no-index")).hash("graalpy-25.0.3"));
        assertNotEquals(hash, new Requirements(List.of("demo-dep==1.0"), file, List.of()).hash("graalpy-25.0.3"));
        assertNotEquals(hash, new Requirements(List.of("demo-dep==1.0"), null, List.of("--no-index")).hash("graalpy-25.0.3"));
        // entries are separated, so moving text from one to the next changes the set
        assertNotEquals(new Requirements(List.of("ab", "c"), null, List.of()).hash("r"),
                new Requirements(List.of("a", "bc"), null, List.of()).hash("r"));
    }

    @Test
    void aMissingRequirementsFileIsNamed() {
        Path missing = dir.resolve("nope.txt");
        IOException e = assertThrows(IOException.class,
                () -> new Requirements(List.of(), missing, List.of()).hash("r"));
        assertEquals("the requirements file " + missing + " does not exist", e.getMessage());
    }

    @Test
    void pipGetsTheOptionsThenTheRequirements() {
        Path file = dir.resolve("requirements.txt");
        Requirements set = new Requirements(List.of("a==1", "b"), file, List.of("--no-index", "--find-links=/w"));
        assertEquals(List.of("--no-index", "--find-links=/w", "--requirement", file.toString(), "a==1", "b"),
                set.installArguments());
        assertTrue(set.offline());
        assertFalse(new Requirements(List.of("a"), null, List.of("--index-url=http://mirror/simple")).offline());
        assertTrue(new Requirements(List.of(), null, List.of("--no-index")).isEmpty());
        assertFalse(new Requirements(List.of(), file, List.of()).isEmpty());
    }
}
