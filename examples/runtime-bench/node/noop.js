'use strict';

// Does nothing: measures the runtime's own cost per invocation.
exports.handler = async () => ({});
