package dev.rloop.maven;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The Python packages an app asks for: {@code <packages>} and a {@code <requirementsFile>}, with the
 * {@code <pipArgs>} that say where pip finds them. Its {@link #hash} names the set, so a build can
 * tell whether pip has already installed exactly this set.
 */
record Requirements(List<String> packages, Path requirementsFile, List<String> pipArgs) {
    Requirements {
        packages = packages.stream().map(String::strip).filter(p -> !p.isEmpty()).toList();
        pipArgs = List.copyOf(pipArgs);
    }

    boolean isEmpty() {
        return packages.isEmpty() && requirementsFile == null;
    }

    /**
     * A name for this set installed by {@code runtime} (the GraalPy that runs pip and the app): the
     * packages, the requirements file's content (not its path or time stamp, so a touched but
     * unchanged file reuses the install; a {@code -r} it nests is read by pip, not hashed here), the
     * pip arguments and the runtime. 16 hex digits: collisions among one app's few sets are not a
     * concern, and the name stays short in paths.
     */
    String hash(String runtime) throws IOException {
        MessageDigest digest = AppJarWriter.sha256();
        List<String> parts = new ArrayList<>();
        parts.add("runtime=" + runtime);
        packages.forEach(p -> parts.add("package=" + p));
        pipArgs.forEach(a -> parts.add("pipArg=" + a));
        for (String part : parts) {
            digest.update(part.getBytes(UTF_8));
            digest.update((byte) 0);
        }
        if (requirementsFile != null) {
            if (!Files.isRegularFile(requirementsFile)) {
                throw new IOException("the requirements file " + requirementsFile + " does not exist");
            }
            digest.update("requirements=".getBytes(UTF_8));
            digest.update(Files.readAllBytes(requirementsFile));
        }
        return HexFormat.of().formatHex(digest.digest(), 0, 8);
    }

    /** pip's arguments after {@code install}: the user's options, then what to install. */
    List<String> installArguments() {
        List<String> args = new ArrayList<>(pipArgs);
        if (requirementsFile != null) {
            args.add("--requirement");
            args.add(requirementsFile.toString());
        }
        args.addAll(packages);
        return args;
    }

    /** True when the pip arguments forbid the package index, so nothing may be fetched online. */
    boolean offline() {
        return pipArgs.stream().anyMatch(a -> a.equals("--no-index"));
    }
}
