import { describe, expect, it } from "vitest";
import { redact, splitCredentials } from "../../src/sync/credentials.ts";

describe("splitCredentials", () => {
  it("takes user and token out of an https URL", () => {
    expect(splitCredentials("https://x-access-token:ghp_abc123@github.com/acme/dags.git", undefined)).toEqual(
      {
        url: "https://github.com/acme/dags.git",
        username: "x-access-token",
        token: "ghp_abc123",
      },
    );
  });

  it("decodes URL-encoded credentials", () => {
    expect(splitCredentials("https://bot%40acme:p%40ss%3Aword@git.example.com/dags.git", undefined)).toEqual({
      url: "https://git.example.com/dags.git",
      username: "bot@acme",
      token: "p@ss:word",
    });
  });

  it("keeps everything after the first colon as the password", () => {
    expect(splitCredentials("https://user:pa:ss@git.example.com/dags.git", undefined)).toMatchObject({
      url: "https://git.example.com/dags.git",
      username: "user",
      token: "pa:ss",
    });
  });

  it("prefers UPDRAFT_GIT_TOKEN over a password in the URL", () => {
    expect(splitCredentials("https://user:from-url@github.com/acme/dags.git", "from-env")).toMatchObject({
      url: "https://github.com/acme/dags.git",
      username: "user",
      token: "from-env",
    });
  });

  it("leaves ssh, scp-like and local remotes alone", () => {
    for (const remote of [
      "ssh://git@github.com/acme/dags.git",
      "git@github.com:acme/dags.git",
      "/srv/git/dags.git",
    ]) {
      expect(splitCredentials(remote, "tok")).toEqual({ url: remote, username: undefined, token: "tok" });
    }
  });

  it("treats an empty UPDRAFT_GIT_TOKEN as none", () => {
    expect(splitCredentials("https://github.com/acme/dags.git", "")).toMatchObject({ token: undefined });
  });
});

describe("redact", () => {
  it("removes user:password from URLs and every known secret from text", () => {
    const text =
      "fatal: unable to access 'https://bot:hunter22@github.com/acme/dags.git/': token hunter22 rejected; api abcd1234";
    expect(redact(text, ["hunter22", "abcd1234", undefined])).toBe(
      "fatal: unable to access 'https://***@github.com/acme/dags.git/': token *** rejected; api ***",
    );
  });
});
