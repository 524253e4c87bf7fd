import { cacheExchange } from "@urql/exchange-graphcache";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import { Client, fetchExchange, subscriptionExchange } from "urql";
import { cacheOptions } from "./cache";

/** The client for the signed-in user; ``token`` gives the access token at each request (it may
 * have been renewed since the client was made). */
export function createClient(token: () => string): { client: Client; dispose: () => void } {
  const wsUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
  const ws: WsClient = createWsClient({
    url: wsUrl,
    lazy: true,
    // the live inbox reconnects while the gateway restarts or the network drops (waiting longer
    // each time), but not once the gateway refused the token (4403): the queries say so
    retryAttempts: Infinity,
    shouldRetry: (event) =>
      typeof event === "object" && event !== null && "code" in event && event.code !== 4403,
    connectionParams: () => ({ Authorization: `Bearer ${token()}` }),
  });
  const client = new Client({
    url: "/graphql",
    fetchOptions: () => ({ headers: { Authorization: `Bearer ${token()}` } }),
    requestPolicy: "cache-and-network",
    exchanges: [
      cacheExchange(cacheOptions()),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? "" };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  return { client, dispose: () => void ws.dispose() };
}
