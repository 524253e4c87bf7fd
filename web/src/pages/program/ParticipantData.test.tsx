import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Provider, type Client } from "urql";
import { describe, expect, it, vi } from "vitest";
import { SessionProvider } from "../../auth/session";
import "../../i18n";
import { fakeClient, signedInAs } from "../../test-client";
import { ParticipantData } from "./ParticipantData";

function renderWith(client: Client, onErased?: () => void) {
  signedInAs("u-admin", "admin");
  render(
    <SessionProvider>
      <Provider value={client}>
        <ParticipantData id="pt_7" name="Ann Example" onErased={onErased} />
      </Provider>
    </SessionProvider>,
  );
}

describe("a participant's data, for the program's admins", () => {
  it("exports their data, then offers the archive once every service built its part", async () => {
    const { client, asked } = fakeClient({
      ExportParticipantData: () => ({
        exportParticipantData: { __typename: "DataExport", id: "dx-7", status: "PENDING" },
      }),
      DataExport: () => ({
        dataExport: {
          __typename: "DataExport",
          id: "dx-7",
          status: "COMPLETE",
          requestedAt: "2026-12-07T09:00:00.000Z",
          completedAt: "2026-12-07T09:00:04.000Z",
          expiresAt: "2026-12-08T09:00:00.000Z",
          downloadPath: "/data-exports/dx-7.zip",
          parts: [],
        },
      }),
    });
    renderWith(client);

    await userEvent.click(screen.getByRole("button", { name: "Export their data" }));

    expect(asked[0]).toEqual({ name: "ExportParticipantData", variables: { id: "pt_7" } });
    const group = screen.getByRole("group", { name: "Data export of Ann Example" });
    expect(within(group).getByRole("status").textContent).toBe("Export ready.");
    expect(within(group).getByRole("button", { name: "Download the archive (ZIP)" })).toBeTruthy();
  });

  it("erases their data once the admin confirms that it cannot be undone, and says when it is done", async () => {
    const { client, asked } = fakeClient({
      EraseParticipant: () => ({
        eraseParticipant: { __typename: "DataErasure", id: "de-7", status: "PENDING" },
      }),
      DataErasure: () => ({
        dataErasure: {
          __typename: "DataErasure",
          id: "de-7",
          status: "COMPLETE",
          requestedAt: "2026-12-07T09:00:00.000Z",
          completedAt: "2026-12-07T09:00:03.000Z",
          done: [],
        },
      }),
    });
    const erased = vi.fn();
    renderWith(client, erased);

    await userEvent.click(screen.getByRole("button", { name: "Erase their data" }));
    expect(erased).not.toHaveBeenCalled();
    const form = screen.getByRole("form", { name: "Erase the data of Ann Example" });
    expect(form.textContent).toContain("This cannot be undone.");
    const erase = within(form).getByRole("button", { name: "Erase their data" });
    expect(erase).toHaveProperty("disabled", true);
    await userEvent.click(within(form).getByLabelText("I understand that this cannot be undone"));
    await userEvent.click(erase);

    expect(asked[0]).toEqual({
      name: "EraseParticipant",
      variables: { id: "pt_7", confirm: "pt_7" },
    });
    expect(screen.getByRole("status").textContent).toBe("Erased: every service is done.");
    expect(erased).toHaveBeenCalledOnce();
  });

  it("keeps their data when the admin changes their mind", async () => {
    const { client, asked } = fakeClient({});
    renderWith(client);

    await userEvent.click(screen.getByRole("button", { name: "Erase their data" }));
    await userEvent.click(screen.getByRole("button", { name: "Keep their data" }));

    expect(screen.queryByRole("form")).toBeNull();
    expect(asked).toEqual([]);
  });
});
