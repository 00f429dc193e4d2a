package pilot.wasm.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Build step: makes TeaVM 0.16's WasmGC JavaScript runtime usable inside Cloudflare workerd, where
 * compiling wasm or generating code from strings at request time is forbidden. Fails the build when an
 * anchor is missing, so a TeaVM upgrade cannot silently skip a patch.
 * <ol>
 *   <li>load() takes only a precompiled WebAssembly.Module (Workers import .wasm as one; Node.js callers
 *       compile the bytes first) and skips the string-builtins probe (which compiles a module) for the JS
 *       fallbacks;</li>
 *   <li>what a Worker never runs is cut, since every byte of it ships in each Worker's bundle: loading from a
 *       path or URL (fetch, {@code node:fs}), the stack deobfuscator and external debug info, Emscripten
 *       side modules, and auto-imports of JS modules by a dynamic {@code import()} (our modules import none:
 *       a module that did would fail to instantiate with a LinkError, never silently);</li>
 *   <li>every {@code new Function(...)} becomes a closure.</li>
 * </ol>
 * The output must not mention {@code process}, so that wrangler's {@code nodejs_compat} does not inject its
 * {@code process} polyfill into every Worker ({@link #FORBIDDEN}).
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
        trimForWorkers();
        replaceRegex("function getGlobalName\\(name\\) \\{[\\s\\S]*?\\n\\}\\nfunction setGlobalName\\(name, value\\) \\{[\\s\\S]*?\\n\\}\\n",
                "function getGlobalName(name) {\n"
                        + "  return name.split(\".\").reduce((o, k) => o[k], globalThis);\n"
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
        trimImports();
        if (s.contains("new Function(")) {
            throw new IllegalStateException("patched runtime still contains new Function(");
        }
        for (String word : FORBIDDEN) {
            if (s.contains(word)) {
                throw new IllegalStateException("patched runtime still contains " + word);
            }
        }
        return "// Patched for Cloudflare workerd by pilot.wasm.build.PatchRuntime (wasm-build/src/main/java/pilot/wasm/build/PatchRuntime.java).\n" + s;
    }

    /**
     * Words the patched runtime must not contain: a free {@code process} makes wrangler inject its polyfill;
     * the others are loading paths a Worker cannot take (no fetch of its own code, no dynamic import, no
     * compiling at run time) and whose code would only add to every bundle.
     */
    static final List<String> FORBIDDEN = List.of("process", "fetch(", "import(", "eobfuscat", "emscripten",
            "compileStreaming", "WebAssembly.compile(", "dylink");

    /** Top-level functions, classes and variables of the runtime that only the cut loading paths use. */
    static final List<String> CUT = List.of("compileModule", "hasStringBuiltins", "hasStringBuiltinsPromise",
            "getDeobfuscator", "openPath", "importNodeFs", "nodeFsImportObject", "createDeobfuscator",
            "fetchExternalDebugInfo", "loadEmscriptenModules", "ReaderHelper", "extractDylinkInfo", "wrapImports",
            "extractImports");

    private void trimForWorkers() {
        replaceRegex("async function load\\(src, options\\) \\{\\n[\\s\\S]*?\\n  return teavm;\\n\\}\\n", """
                async function load(module, options) {
                  if (!(module instanceof WebAssembly.Module)) {
                    throw new TypeError("pilot-core: load() takes a compiled WebAssembly.Module");
                  }
                  if (!options) {
                    options = {};
                  }
                  const importObj = {};
                  const userExports = {};
                  const defaultsResult = defaults(importObj, userExports, options.stringBuiltins === true);
                  linkImports(importObj, options, module);
                  if (typeof options.installImports !== "undefined") {
                    options.installImports(importObj);
                  }
                  const instance = await WebAssembly.instantiate(module, importObj);
                  defaultsResult.supplyExports(instance.exports);
                  const teavm = {
                    exports: userExports,
                    instance,
                    module
                  };
                  for (const key in instance.exports) {
                    const exportObj = instance.exports[key];
                    if (exportObj instanceof WebAssembly.Global) {
                      Object.defineProperty(userExports, key, {
                        get: () => exportObj.value
                      });
                    }
                  }
                  return teavm;
                }
                """, "load", "compileModule(src, isNodeJs)", "emscriptenModules", "options.installImports(importObj)",
                "await wrapImports(module, importObj)", "defaultsResult.supplyExports(instance.exports)",
                "Object.defineProperty(userExports, key");
        // Emscripten side modules (their memory, stack, table and allocator) are the only users of all but the
        // memory import; what stays computes the same memory and heap offset for a module without them.
        replaceRegex("async function linkImports\\(imports, options, module, emscriptenModules\\) \\{\\n[\\s\\S]*?"
                + "\\n  return allocator;\\n\\}\\n", """
                function linkImports(imports, options, module) {
                  const memoryOptions = options.memory ?? {};
                  const memDefaults = getMemoryDefaults(module);
                  let memoryInstance = memoryOptions.external;
                  let maxSize = memoryOptions.maxSize;
                  const heapOffset = align(memDefaults.dataSize ?? 0, 8);
                  if (!memoryInstance) {
                    const minSize = memDefaults.min ?? 0;
                    const shared = memoryOptions.shared ?? memDefaults.shared ?? false;
                    maxSize ??= (1 << 31) - 1 | 0;
                    const initialPages = Math.max(minSize, 1);
                    const maxPages = shared ? initialPages : (maxSize - 1 >> 16) + 1;
                    memoryInstance = new WebAssembly.Memory({
                      shared,
                      initial: initialPages,
                      maximum: maxPages
                    });
                  }
                  imports.env = { memory: memoryInstance };
                  imports.teavmMemory = {
                    linearMemory() {
                      return memoryInstance.buffer;
                    },
                    notifyHeapResized: memoryOptions.onResize ?? function() {
                    },
                    heapOffset: new WebAssembly.Global({ value: "i32", mutable: false }, heapOffset),
                    maxSize: new WebAssembly.Global({ value: "i32", mutable: false }, maxSize)
                  };
                }
                """, "linkImports", "ptr = align(ptr, 8);\n  const heapOffset = ptr;",
                "Math.max(minSize, emscriptenModules.length === 0 ? 1 : 256)", "imports.env = { memory: memoryInstance };",
                "heapOffset: new WebAssembly.Global({ value: \"i32\", mutable: false }, heapOffset)",
                "maxSize: new WebAssembly.Global({ value: \"i32\", mutable: false }, maxSize)");
        replaceLiteral("    userExports,\n    stackDeobfuscator: null\n", "    userExports\n", "stackDeobfuscator field");
        replaceLiteral("    supplyExports(exports) {\n      context.exports = exports;\n    },\n"
                        + "    supplyStackDeobfuscator(deobfuscator) {\n      context.stackDeobfuscator = deobfuscator;\n    }\n",
                "    supplyExports(exports) {\n      context.exports = exports;\n    }\n", "supplyStackDeobfuscator");
        for (String name : CUT) {
            String before = s;
            s = s.replaceFirst("\\n(?:async )?function " + name + "\\([^)]*\\) \\{\\n[\\s\\S]*?\\n\\}\\n", "\n")
                    .replaceFirst("\\nvar " + name + " = class \\{\\n[\\s\\S]*?\\n\\};\\n", "\n")
                    .replaceFirst("\\nvar " + name + "(?: = null)?;\\n", "\n");
            if (s.equals(before)) {
                throw new IllegalStateException("TeaVM runtime patch anchor not found: " + name);
            }
        }
        for (String name : CUT) {
            if (Pattern.compile("\\b" + name + "\\b").matcher(s).find()) {
                throw new IllegalStateException("patched runtime still refers to " + name + ", which the patch cut");
            }
        }
    }

    /**
     * The import groups and JSO helpers that neither pilot-core.wasm nor pilot-conformance.wasm declares (js/test/
     * runtime.test.mjs lists both modules' imports against what the runtime supplies): dates, console, timers,
     * Math, weak references of Java objects, and the JSO helpers for exported classes, properties, hash codes
     * and arrays. Every byte of them shipped in each Worker's bundle; a module that came to import one would fail
     * to instantiate with a LinkError that names it, never run without it.
     */
    private void trimImports() {
        replaceRegex("function defaults\\(imports, userExports, stringBuiltins\\) \\{\\n[\\s\\S]*?\\n\\}\\n", """
                function defaults(imports, userExports, stringBuiltins) {
                  const context = {
                    exports: null
                  };
                  if (!stringBuiltins) {
                    stringImports(imports);
                  }
                  coreImports(imports, context);
                  jsoImports(imports, context, stringBuiltins);
                  return {
                    supplyExports(exports) {
                      context.exports = exports;
                    }
                  };
                }
                """, "defaults", "dateImports(imports);", "consoleImports(imports);", "asyncImports(imports);",
                "coreImports(imports, context);", "jsoImports(imports, context, stringBuiltins);");
        // without a deobfuscator a Java stack trace is the wasm code addresses, as TeaVM reports them then
        replaceRegex("function coreImports\\(imports, context\\) \\{\\n[\\s\\S]*?\\n\\}\\n", """
                function coreImports(imports, context) {
                  imports.teavm = {
                    takeStackTrace(exceptionClassName) {
                      const stack = new Error().stack ?? "";
                      const addresses = [];
                      for (const line of stack.split("\\n")) {
                        const match = exceptionFrameRegex.exec(line);
                        if (match !== null && match.length >= 2) {
                          addresses.push(parseInt(match[1], 16));
                        }
                      }
                      return {
                        getStack() {
                          return addresses.map((address) => ({
                            className: "java.lang.Throwable$FakeClass",
                            method: "fakeMethod",
                            file: "Throwable.java",
                            line: address
                          }));
                        }
                      };
                    },
                    decorateException(javaException) {
                      new JavaError(context, javaException);
                    }
                  };
                }
                """, "coreImports", "createWeakRef(value, ref, queue)", "takeStackTrace(exceptionClassName)",
                "context.stackDeobfuscator(addresses)",
                "exceptionFrameRegex.exec(line)", "decorateException(javaException)", "new JavaError(context, javaException);");
        replaceRegex("function jsoImports\\(imports, context, stringBuiltins\\) \\{\\n[\\s\\S]*?\\n\\}\\n", JSO, "jsoImports",
                "const javaObjectSymbol", "wrapperCallMarkerSymbol", "function javaExceptionToJs(e)",
                "context.exports[\"teavm.js.throwException\"](jsExceptionAsJava(e))",
                "context.exports[\"teavm.js.extractException\"](e)", "context.exports[\"teavm.jso.createWrapper\"](obj)",
                "javaObjectToJS(instance, cls)", "unwrapJavaObject(instance)", "\"unwrapDouble\"");
        for (String name : List.of("dateImports", "consoleImports", "asyncImports")) {
            cutFunction(name);
        }
        for (String name : List.of("dateImports", "consoleImports", "asyncImports", "setGlobalName", "teavmMath",
                "createWeakRef", "hashCode", "asFunction", "defineStaticProperty", "bindFunction")) {
            if (Pattern.compile("\\b" + name + "\\b").matcher(s).find()) {
                throw new IllegalStateException("patched runtime still refers to " + name + ", which the patch cut");
            }
        }
    }

    /**
     * TeaVM's JSO imports, only those the modules declare (both import the wrappers of Java objects and classes,
     * callFunction, getProperty; the conformance module also global, instanceOf, callMethod and construct).
     * Unchanged in what each does, except that createClass no longer computes a class name nothing reads.
     */
    private static final String JSO = """
            function jsoImports(imports, context, stringBuiltins) {
              const javaObjectSymbol = /* @__PURE__ */ Symbol("javaObject");
              const wrapperCallMarkerSymbol = /* @__PURE__ */ Symbol("wrapperCallMarker");
              const jsWrappers = /* @__PURE__ */ new WeakMap();
              const javaWrappers = /* @__PURE__ */ new WeakMap();
              const primitiveWrappers = /* @__PURE__ */ new Map();
              const primitiveFinalization = new FinalizationRegistry((token) => primitiveWrappers.delete(token));
              function identity(value) {
                return value;
              }
              function javaExceptionToJs(e) {
                if (e instanceof WebAssembly.Exception) {
                  const tag = context.exports["teavm.javaException"];
                  const getJsException = context.exports["teavm.getJsException"];
                  if (e.is(tag)) {
                    const javaException = e.getArg(tag, 0);
                    const extracted = context.exports["teavm.js.extractException"](javaException);
                    if (extracted !== null) {
                      return extracted;
                    }
                    let wrapper = getJsException(javaException);
                    if (typeof wrapper === "undefined") {
                      wrapper = new JavaError(context, javaException);
                    }
                    return wrapper;
                  }
                }
                return e;
              }
              function rethrowJsAsJava(e) {
                context.exports["teavm.js.throwException"](javaExceptionSymbol in e ? e[javaExceptionSymbol]
                  : context.exports["teavm.js.wrapException"](e));
                throw e;
              }
              function rethrowJavaAsJs(e) {
                throw javaExceptionToJs(e);
              }
              function defineFunction(fn, vararg) {
                return closureWrap(rethrowJavaAsJs, fn, fn.length, vararg, false);
              }
              imports.teavmJso = {
                stringBuiltinsSupported: () => stringBuiltins,
                isUndefined: (o) => typeof o === "undefined",
                unwrapBoolean: (value) => value ? 1 : 0,
                wrapBoolean: (value) => !!value,
                getProperty(obj, prop) {
                  try {
                    return obj !== null ? obj[prop] : getGlobalName(prop);
                  } catch (e) {
                    rethrowJsAsJava(e);
                  }
                },
                global(name) {
                  try {
                    return getGlobalName(name);
                  } catch (e) {
                    rethrowJsAsJava(e);
                  }
                },
                createClass(name, parent, constructor) {
                  let action;
                  const fn = function(marker, javaObject) {
                    if (marker === wrapperCallMarkerSymbol) {
                      action.call(this, javaObject);
                    } else if (constructor === null) {
                      throw new Error("This class can't be instantiated directly");
                    } else {
                      try {
                        return constructor.apply(null, arguments);
                      } catch (e) {
                        rethrowJavaAsJs(e);
                      }
                    }
                  };
                  if (parent === null) {
                    action = function(javaObject) {
                      this[javaObjectSymbol] = javaObject;
                    };
                  } else {
                    action = function(javaObject) {
                      parent.call(this, javaObject);
                    };
                  }
                  fn.prototype = Object.create(parent ? parent.prototype : Object.prototype);
                  fn.prototype.constructor = fn;
                  const boundFn = function(javaObject) {
                    return fn.call(this, wrapperCallMarkerSymbol, javaObject);
                  };
                  boundFn[wrapperCallMarkerSymbol] = fn;
                  boundFn.prototype = fn.prototype;
                  return boundFn;
                },
                defineStaticMethod(cls, name, fn, vararg) {
                  cls[name] = defineFunction(fn, vararg);
                },
                defineFunction,
                javaObjectToJS(instance, cls) {
                  if (instance === null) {
                    return null;
                  }
                  const existing = jsWrappers.get(instance);
                  if (typeof existing != "undefined") {
                    const result = existing.deref();
                    if (typeof result !== "undefined") {
                      return result;
                    }
                  }
                  const obj = new cls(instance);
                  jsWrappers.set(instance, new WeakRef(obj));
                  return obj;
                },
                unwrapJavaObject(instance) {
                  return instance[javaObjectSymbol];
                },
                wrapObject(obj) {
                  if (obj === null) {
                    return null;
                  }
                  if (typeof obj === "object" || typeof obj === "function" || typeof obj === "symbol") {
                    let result = obj[javaObjectSymbol];
                    if (typeof result === "object") {
                      return result;
                    }
                    result = javaWrappers.get(obj)?.deref();
                    if (result !== void 0) {
                      return result;
                    }
                    result = context.exports["teavm.jso.createWrapper"](obj);
                    javaWrappers.set(obj, new WeakRef(result));
                    return result;
                  }
                  let result = primitiveWrappers.get(obj)?.deref();
                  if (result !== void 0) {
                    return result;
                  }
                  result = context.exports["teavm.jso.createWrapper"](obj);
                  primitiveWrappers.set(obj, new WeakRef(result));
                  primitiveFinalization.register(result, obj);
                  return result;
                },
                instanceOf: (value, type) => value instanceof type
              };
              for (const name of ["wrapByte", "wrapShort", "wrapChar", "wrapInt", "wrapLong", "wrapFloat", "wrapDouble",
                "unwrapByte", "unwrapShort", "unwrapChar", "unwrapInt", "unwrapLong", "unwrapFloat", "unwrapDouble"]) {
                imports.teavmJso[name] = identity;
              }
              for (let i = 0; i < 32; ++i) {
                imports.teavmJso["createFunction" + i] = (...paramsAndBody) => {
                  // TeaVM's classlib only creates identity bodies such as ["str", "return str;"]
                  if (paramsAndBody.length === 2 && paramsAndBody[1].trim() === "return " + paramsAndBody[0] + ";") {
                    return (x) => x;
                  }
                  throw new Error("pilot-core: @JSBody needs code generation, which Workers forbid");
                };
                imports.teavmJso["callFunction" + i] = (fn, ...a) => {
                  try { return fn(...a); } catch (e) { rethrowJsAsJava(e); }
                };
                imports.teavmJso["callMethod" + i] = (instance, method, ...a) => {
                  try {
                    return instance !== null ? instance[method](...a) : getGlobalName(method)(...a);
                  } catch (e) { rethrowJsAsJava(e); }
                };
                imports.teavmJso["construct" + i] = (constructor, ...a) => {
                  try { return new constructor(...a); } catch (e) { rethrowJsAsJava(e); }
                };
              }
            }
            """;

    private void cutFunction(String name) {
        String before = s;
        s = s.replaceFirst("\\n(?:async )?function " + name + "\\([^)]*\\) \\{\\n[\\s\\S]*?\\n\\}\\n", "\n");
        if (s.equals(before)) {
            throw new IllegalStateException("TeaVM runtime patch anchor not found: " + name);
        }
    }

    /** Replaces the first match of {@code regex}; the matched text must contain every one of {@code expected}. */
    private void replaceRegex(String regex, String replacement, String label, String... expected) {
        Matcher m = Pattern.compile(regex).matcher(s);
        if (!m.find()) {
            throw new IllegalStateException("TeaVM runtime patch anchor not found: " + label);
        }
        for (String e : expected) {
            if (!m.group().contains(e)) {
                throw new IllegalStateException("TeaVM runtime patch: " + label + " no longer contains " + e);
            }
        }
        s = s.substring(0, m.start()) + replacement + s.substring(m.end());
    }

    private void replaceLiteral(String literal, String replacement, String label) {
        if (!s.contains(literal)) {
            throw new IllegalStateException("TeaVM runtime patch anchor not found: " + label);
        }
        s = s.replace(literal, replacement);
    }
}
