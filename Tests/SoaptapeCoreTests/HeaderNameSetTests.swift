import SoaptapeCore
import Testing

/// Header name sets: asked in any case, by names of any length.
struct HeaderNameSetTests {
    @Test func namesAreFoundInAnyCaseAndOnlyThem() {
        let set: HeaderNameSet = ["Authorization", "cookie", "Set-Cookie", "te"]
        for name in ["authorization", "AUTHORIZATION", "Cookie", "set-cookie", "SET-COOKIE", "TE", "te"] {
            #expect(set.contains(name), "\(name)")
        }
        for name in ["", "t", "tea", "cookies", "set_cookie", "Authorisation", "a-very-long-header-name-indeed", "Çookie"] {
            #expect(!set.contains(name), "\(name)")
        }
        #expect(set.names.sorted() == ["authorization", "cookie", "set-cookie", "te"])
    }

    @Test func aUnionHoldsBoth() {
        let union = HeaderNameSet(["X-Api-Key"]).union(["cookie"])
        #expect(union.contains("x-api-key") && union.contains("COOKIE") && !union.contains("host"))
        #expect(!HeaderNameSet([]).contains("") && !HeaderNameSet([]).contains("host"))
    }
}
