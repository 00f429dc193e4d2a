package pilot.wasm.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Build step: makes TeaVM 0.16's WasmGC JavaScript runtime usable inside Cloudflare workerd, where
 * compiling wasm or generating code from strings at request time is forbidden. Fails the build when an
 * anchor is missing, so a TeaVM upgrade cannot silently skip a patch.
 * <ol>
 *   <li>load() accepts a precompiled WebAssembly.Module (Workers import .wasm as one);</li>
 *   <li>a precompiled module skips the string-builtins probe (which compiles a module) and uses the JS fallbacks;</li>
 *   <li>every {@code new Function(...)} becomes a closure;</li>
 *   <li>the Node-only {@code node:fs/promises} import is hidden from bundlers.</li>
 * </ol>
 * Usage: {@code PatchRuntime <in.js> <out.js>}.
 */
public final class PatchRuntime {
    private String s;

    private PatchRuntime(String s) {
        this.s = s;
    }

    public static void main(String[] args) throws IOException {
        String in = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
        String out = new PatchRuntime(in).apply();
        Files.writeString(Path.of(args[1]), out, StandardCharsets.UTF_8);
        System.out.println("[pilot] patched TeaVM runtime for workerd -> " + args[1]);
    }

    String apply() {
        replaceRegex("async function compileModule\\(src, isNodeJs\\) \\{\\n",
                "async function compileModule(src, isNodeJs) {\n  if (src instanceof WebAssembly.Module) {\n    return src;\n  }\n",
                "compileModule");
        replaceLiteral("const defaultsResult = defaults(importObj, userExports, await hasStringBuiltins());",
                "const defaultsResult = defaults(importObj, userExports, src instanceof WebAssembly.Module\n"
                        + "    ? options.stringBuiltins === true : await hasStringBuiltins());", "stringBuiltins");
        replaceRegex("function getGlobalName\\(name\\) \\{[\\s\\S]*?\\n\\}\\nfunction setGlobalName\\(name, value\\) \\{[\\s\\S]*?\\n\\}\\n",
                "function getGlobalName(name) {\n"
                        + "  return name.split(\".\").reduce((o, k) => o[k], globalThis);\n"
                        + "}\n"
                        + "function setGlobalName(name, value) {\n"
                        + "  const path = name.split(\".\");\n"
                        + "  const last = path.pop();\n"
                        + "  path.reduce((o, k) => o[k], globalThis)[last] = value;\n"
                        + "}\n"
                        + "function closureWrap(rethrow, fn, arity, vararg, withThis) {\n"
                        + "  return function(...args) {\n"
                        + "    if (vararg && arity > 0) {\n"
                        + "      args = [...args.slice(0, arity - 1), args.slice(arity - 1)];\n"
                        + "    }\n"
                        + "    try {\n"
                        + "      return withThis ? fn(this, ...args) : fn(...args);\n"
                        + "    } catch (e) {\n"
                        + "      rethrow(e);\n"
                        + "    }\n"
                        + "  };\n"
                        + "}\n", "getGlobalName");
        replaceRegex("  function defineFunction\\(fn, vararg\\) \\{[\\s\\S]*?\\n  \\}\\n  function renameConstructor\\(name, c\\) \\{[\\s\\S]*?\\n  \\}\\n",
                "  function defineFunction(fn, vararg) {\n"
                        + "    return closureWrap(rethrowJavaAsJs, fn, fn.length, vararg, false);\n"
                        + "  }\n"
                        + "  function renameConstructor(name, c) {\n"
                        + "    return function(marker, javaObject) {\n"
                        + "      return c.call(this, marker, javaObject);\n"
                        + "    };\n"
                        + "  }\n", "defineFunction");
        replaceRegex("    defineMethod\\(cls, name, fn, vararg\\) \\{[\\s\\S]*?\\)\\(rethrowJavaAsJs, fn\\);\\n    \\},\\n",
                "    defineMethod(cls, name, fn, vararg) {\n"
                        + "      cls.prototype[name] = closureWrap(rethrowJavaAsJs, fn, fn.length - 1, vararg, true);\n"
                        + "    },\n", "defineMethod");
        replaceRegex("    imports\\.teavmJso\\[\"createFunction\" \\+ i\\] = new Function\\([\\s\\S]*?argumentList\\.push\\(\"p\" \\+ \\(i \\+ 1\\)\\);\\n",
                "    imports.teavmJso[\"createFunction\" + i] = (...paramsAndBody) => {\n"
                        + "      // TeaVM's classlib only creates identity bodies such as [\"str\", \"return str;\"]\n"
                        + "      if (paramsAndBody.length === 2 && paramsAndBody[1].trim() === \"return \" + paramsAndBody[0] + \";\") {\n"
                        + "        return (x) => x;\n"
                        + "      }\n"
                        + "      throw new Error(\"pilot-core: @JSBody needs code generation, which Workers forbid\");\n"
                        + "    };\n"
                        + "    imports.teavmJso[\"bindFunction\" + i] = (f, ...bindArgs) => f.bind(null, ...bindArgs);\n"
                        + "    imports.teavmJso[\"callFunction\" + i] = (fn, ...a) => {\n"
                        + "      try { return fn(...a); } catch (e) { rethrowJsAsJava(e); }\n"
                        + "    };\n"
                        + "    imports.teavmJso[\"callMethod\" + i] = (instance, method, ...a) => {\n"
                        + "      try {\n"
                        + "        return instance !== null ? instance[method](...a) : getGlobalName(method)(...a);\n"
                        + "      } catch (e) { rethrowJsAsJava(e); }\n"
                        + "    };\n"
                        + "    imports.teavmJso[\"construct\" + i] = (constructor, ...a) => {\n"
                        + "      try { return new constructor(...a); } catch (e) { rethrowJsAsJava(e); }\n"
                        + "    };\n"
                        + "    imports.teavmJso[\"arrayOf\" + i] = (...a) => a;\n"
                        + "    argumentList.push(\"p\" + (i + 1));\n", "jso helpers");
        replaceLiteral("nodeFsImportObject = import(\"node:fs/promises\");",
                "nodeFsImportObject = import(/* @vite-ignore */ [\"node:fs\", \"promises\"].join(\"/\"));", "node fs import");
        if (s.contains("new Function(")) {
            throw new IllegalStateException("patched runtime still contains new Function(");
        }
        return "// Patched for Cloudflare workerd by pilot.wasm.build.PatchRuntime (see wasm-build/README.md).\n" + s;
    }

    private void replaceRegex(String regex, String replacement, String label) {
        String before = s;
        s = s.replaceFirst(regex, java.util.regex.Matcher.quoteReplacement(replacement));
        if (s.equals(before)) {
            throw new IllegalStateException("TeaVM runtime patch anchor not found: " + label);
        }
    }

    private void replaceLiteral(String literal, String replacement, String label) {
        if (!s.contains(literal)) {
            throw new IllegalStateException("TeaVM runtime patch anchor not found: " + label);
        }
        s = s.replace(literal, replacement);
    }
}
