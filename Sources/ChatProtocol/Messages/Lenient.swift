// SPDX-License-Identifier: Apache-2.0
extension KeyedDecodingContainer {
    /// Go's `json.Unmarshal` leaves missing or null fields at their zero value; seed
    /// clients rely on that, so our decoding does the same.
    func lenient<T: Decodable>(_ key: Key, _ zero: T) throws -> T {
        try self.decodeIfPresent(T.self, forKey: key) ?? zero
    }
}
