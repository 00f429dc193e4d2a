package org.bouncycastle.crypto;

import java.security.SecureRandom;

/**
 * Lean stand-in for Bouncy Castle's CryptoServicesRegistrar, used only when TeaVM compiles the core to
 * wasm (it shadows the original because this jar precedes bcprov on TeaVM's classpath). The original's
 * static initialiser pulls in logging, permissions, ThreadLocal and default DH/DSA parameter tables,
 * which would multiply the module size. The core never asks Bouncy Castle for randomness: every random
 * byte comes from the injected Entropy, so getSecureRandom is never reached on our paths.
 */
public final class CryptoServicesRegistrar {
    public static final class Property {
        public static final Property EC_IMPLICITLY_CA = new Property("ecImplicitlyCA");
        public static final Property DH_DEFAULT_PARAMS = new Property("dhDefaultParams");
        public static final Property DSA_DEFAULT_PARAMS = new Property("dsaDefaultParams");
        private final String name;

        private Property(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static SecureRandom defaultRandom;

    private CryptoServicesRegistrar() {
    }

    public static SecureRandom getSecureRandom() {
        if (defaultRandom == null) {
            defaultRandom = new SecureRandom();
        }
        return defaultRandom;
    }

    public static SecureRandom getSecureRandom(SecureRandom r) {
        return r != null ? r : getSecureRandom();
    }

    public static void setSecureRandom(SecureRandom r) {
        defaultRandom = r;
    }

    public static boolean isSecureRandomSpecified() {
        return defaultRandom != null;
    }

    public static CryptoServicesConstraints getServicesConstraints() {
        return p -> { };
    }

    public static void checkConstraints(CryptoServiceProperties p) {
    }

    public static <T> T getProperty(Property p) {
        return null;
    }

    public static <T> T[] getSizedProperty(Property p) {
        return null;
    }

    public static <T> T getSizedProperty(Property p, int size) {
        return null;
    }
}
