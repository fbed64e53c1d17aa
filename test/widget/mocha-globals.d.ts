// The mocha globals @web/test-runner provides in the browser (BDD interface), typed for tsc.
declare function describe(title: string, body: () => void): void;
declare function it(title: string, body: () => void | Promise<void>): void;
declare function beforeEach(body: () => void | Promise<void>): void;
declare function afterEach(body: () => void | Promise<void>): void;
declare function before(body: () => void | Promise<void>): void;
