import Foundation
import Security
import TempIdCore

/// Registered users' device keys in the Secure Enclave: P-256, created there, never exportable,
/// usable only on this device while it is unlocked. The core signs every frame through
/// `DeviceSigner.sign`; the enclave answers in DER (X9.62), converted to the raw `r‖s` that COSE
/// ES256 wants. Guests keep the core's in-memory Ed25519 keys.
final class SecureEnclaveDeviceKeys: DeviceKeyStore, @unchecked Sendable {
    private static let tagPrefix = "org.tempid.device-key."

    /// The enclave-backed store, or nil (the core's default keys) on a device without one
    /// (the simulator).
    static func ifAvailable() -> SecureEnclaveDeviceKeys? {
        #if targetEnvironment(simulator)
        return nil
        #else
        return SecureEnclaveDeviceKeys()
        #endif
    }

    private func tag(_ label: String) -> Data { Data((Self.tagPrefix + label).utf8) }

    func load(label: String) throws -> DeviceSigner? {
        let query: [String: Any] = [
            kSecClass as String: kSecClassKey,
            kSecAttrApplicationTag as String: tag(label),
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecReturnRef as String: true,
        ]
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        if status == errSecItemNotFound { return nil }
        guard status == errSecSuccess, let item else { throw PlatformError.Unavailable(reason: "keychain status \(status)") }
        return try EnclaveSigner(key: item as! SecKey)
    }

    func create(label: String) throws -> DeviceSigner {
        try delete(label: label)
        var error: Unmanaged<CFError>?
        guard let access = SecAccessControlCreateWithFlags(nil, kSecAttrAccessibleWhenUnlockedThisDeviceOnly, .privateKeyUsage, &error) else {
            throw PlatformError.Failed(reason: "access control: \(error.map { "\($0.takeRetainedValue())" } ?? "?")")
        }
        let attributes: [String: Any] = [
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecAttrKeySizeInBits as String: 256,
            kSecAttrTokenID as String: kSecAttrTokenIDSecureEnclave,
            kSecPrivateKeyAttrs as String: [
                kSecAttrIsPermanent as String: true,
                kSecAttrApplicationTag as String: tag(label),
                kSecAttrAccessControl as String: access,
            ],
        ]
        guard let key = SecKeyCreateRandomKey(attributes as CFDictionary, &error) else {
            throw PlatformError.Failed(reason: "enclave key: \(error.map { "\($0.takeRetainedValue())" } ?? "?")")
        }
        return try EnclaveSigner(key: key)
    }

    func delete(label: String) throws {
        let query: [String: Any] = [kSecClass as String: kSecClassKey, kSecAttrApplicationTag as String: tag(label)]
        let status = SecItemDelete(query as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else {
            throw PlatformError.Failed(reason: "keychain status \(status)")
        }
    }
}

private final class EnclaveSigner: DeviceSigner, @unchecked Sendable {
    private let key: SecKey
    private let point: Data

    init(key: SecKey) throws {
        self.key = key
        var error: Unmanaged<CFError>?
        guard let pub = SecKeyCopyPublicKey(key), let bytes = SecKeyCopyExternalRepresentation(pub, &error) as Data? else {
            throw PlatformError.Unavailable(reason: "no public key")
        }
        point = bytes // X9.63 uncompressed: 04 ‖ x ‖ y (65 bytes), the SEC1 point the core wants.
    }

    func algorithm() throws -> Algorithm { .es256 }
    func publicKey() throws -> Data { point }

    func sign(message: Data) throws -> Data {
        var error: Unmanaged<CFError>?
        guard let der = SecKeyCreateSignature(key, .ecdsaSignatureMessageX962SHA256, message as CFData, &error) as Data? else {
            throw PlatformError.Failed(reason: "sign: \(error.map { "\($0.takeRetainedValue())" } ?? "?")")
        }
        return try EcdsaSignature.derToRaw(der)
    }
}

/// DER `SEQUENCE { INTEGER r, INTEGER s }` → raw `r‖s`, each 32 bytes big-endian (the Swift twin
/// of Android's JVM-tested `org.tempid.ui.EcdsaSignature`).
enum EcdsaSignature {
    static func derToRaw(_ der: Data, componentLength: Int = 32) throws -> Data {
        let b = [UInt8](der)
        var i = 0
        func byte() throws -> Int {
            guard i < b.count else { throw PlatformError.Failed(reason: "truncated DER signature") }
            defer { i += 1 }
            return Int(b[i])
        }
        func length() throws -> Int {
            let first = try byte()
            if first < 0x80 { return first }
            let n = first & 0x7F
            guard (1...2).contains(n) else { throw PlatformError.Failed(reason: "bad DER length") }
            var len = 0
            for _ in 0..<n {
                let next = try byte()
                len = (len << 8) | next
            }
            return len
        }
        func integer() throws -> [UInt8] {
            guard try byte() == 0x02 else { throw PlatformError.Failed(reason: "expected INTEGER") }
            let len = try length()
            guard len >= 1, len <= componentLength + 1, i + len <= b.count else { throw PlatformError.Failed(reason: "bad INTEGER") }
            var v = Array(b[i..<(i + len)])
            i += len
            while v.count > componentLength, v.first == 0 { v.removeFirst() }
            guard v.count <= componentLength else { throw PlatformError.Failed(reason: "INTEGER too long") }
            return [UInt8](repeating: 0, count: componentLength - v.count) + v
        }
        guard try byte() == 0x30 else { throw PlatformError.Failed(reason: "expected SEQUENCE") }
        let sequenceLength = try length()
        guard i + sequenceLength == b.count else { throw PlatformError.Failed(reason: "trailing bytes") }
        let r = try integer(), s = try integer()
        guard i == b.count else { throw PlatformError.Failed(reason: "trailing bytes") }
        return Data(r + s)
    }
}
