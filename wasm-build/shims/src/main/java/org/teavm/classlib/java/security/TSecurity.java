package org.teavm.classlib.java.security;

/** TeaVM classlib stand-in for java.security.Security: Bouncy Castle reads security properties; there are none. */
public final class TSecurity {
    private TSecurity() {
    }

    public static String getProperty(String key) {
        return null;
    }
}
