import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Provider, type Client } from "urql";
import { describe, expect, it } from "vitest";
import { SessionProvider } from "../auth/session";
import "../i18n";
import { fakeClient, signedInAs, type Answer } from "../test-client";
import { MyData } from "./MyData";

function renderWith(client: Client) {
  signedInAs("u-ann", "mentee");
  render(
    <SessionProvider>
      <Provider value={client}>
        <MyData />
      </Provider>
    </SessionProvider>,
  );
}

const pendingExport: Answer = () => ({
  dataExport: {
    __typename: "DataExport",
    id: "dx-1",
    status: "PENDING",
    requestedAt: "2026-12-07T09:00:00.000Z",
    completedAt: null,
    expiresAt: "2026-12-08T09:00:00.000Z",
    downloadPath: null,
    parts: [],
  },
});

const pendingErasure: Answer = () => ({
  dataErasure: {
    __typename: "DataErasure",
    id: "de-1",
    status: "PENDING",
    requestedAt: "2026-12-07T09:00:00.000Z",
    completedAt: null,
    done: [],
  },
});

describe("my data", () => {
  it("exports my data and shows where the export stands", async () => {
    const { client, asked } = fakeClient({
      ExportMyData: () => ({
        exportMyData: { __typename: "DataExport", id: "dx-1", status: "PENDING" },
      }),
      DataExport: pendingExport,
    });
    renderWith(client);

    await userEvent.click(screen.getByRole("button", { name: "Export my data" }));

    expect(asked.slice(0, 2)).toEqual([
      { name: "ExportMyData", variables: {} },
      { name: "DataExport", variables: { id: "dx-1" } },
    ]);
    expect(screen.getByRole("status").textContent).toContain("Export under way");
  });

  it("erases my data only once I confirm that it cannot be undone, repeating my user id", async () => {
    const { client, asked } = fakeClient({
      EraseMyData: () => ({
        eraseMyData: { __typename: "DataErasure", id: "de-1", status: "PENDING" },
      }),
      DataErasure: pendingErasure,
    });
    renderWith(client);

    await userEvent.click(screen.getByRole("button", { name: "Erase my data…" }));
    const form = screen.getByRole("form", { name: "Erase my data" });
    expect(form.textContent).toContain("This cannot be undone.");
    const erase = screen.getByRole("button", { name: "Erase my data" });
    expect(erase).toHaveProperty("disabled", true);
    await userEvent.click(screen.getByLabelText("I understand that this cannot be undone"));
    await userEvent.click(erase);

    expect(asked[0]).toEqual({ name: "EraseMyData", variables: { confirm: "u-ann" } });
    expect(screen.getByRole("status").textContent).toBe("Erasure under way.");
  });

  it("tells me to ask my program's admins where my programs do not let me erase my data", async () => {
    const { client } = fakeClient({
      EraseMyData: () => ({
        eraseMyData: { __typename: "Forbidden", message: "Not allowed by pg_1." },
      }),
    });
    renderWith(client);

    await userEvent.click(screen.getByRole("button", { name: "Erase my data…" }));
    await userEvent.click(screen.getByLabelText("I understand that this cannot be undone"));
    await userEvent.click(screen.getByRole("button", { name: "Erase my data" }));

    expect(screen.getByRole("alert").textContent).toBe(
      "Your programs do not let you erase your data yourself: ask your program's admins.",
    );
    expect(screen.queryByRole("form")).toBeNull();
  });
});
