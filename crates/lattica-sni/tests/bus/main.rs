//! The tray item on a real, private D-Bus daemon, read and clicked as a panel would, with a
//! small StatusNotifierWatcher of the test's own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;

use lattica_sni::{ITEM_PATH, MENU_PATH, MenuItem, Pixmap, Status, Tray, TrayEvent};
use tokio::sync::mpsc;
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};

use support::*;

#[tokio::test]
async fn a_host_reads_every_property_and_the_menu() {
    let bus = Bus::start().await;
    let (events, _rx) = mpsc::unbounded_channel();
    let tray = Tray::spawn_on(&bus.address, model(), events).await.unwrap();
    let name = tray.bus_name().to_owned();
    assert_eq!(
        name,
        format!(
            "org.kde.StatusNotifierItem-{}-{}",
            std::process::id(),
            name.rsplit('-').next().unwrap()
        )
    );
    let host = bus.connect().await;
    let item = proxy(&host, &name, ITEM_PATH, SNI).await;

    let get = |p: &'static str| {
        let item = &item;
        async move { item.get_property::<OwnedValue>(p).await.unwrap() }
    };
    assert_eq!(
        String::try_from(get("Category").await).unwrap(),
        "ApplicationStatus"
    );
    assert_eq!(String::try_from(get("Id").await).unwrap(), "lattica");
    assert_eq!(String::try_from(get("Title").await).unwrap(), "Lattica");
    assert_eq!(String::try_from(get("Status").await).unwrap(), "Active");
    assert_eq!(String::try_from(get("IconName").await).unwrap(), "");
    assert_eq!(
        String::try_from(get("XAyatanaLabel").await).unwrap(),
        "1.2k cr"
    );
    assert_eq!(
        String::try_from(get("XAyatanaLabelGuide").await).unwrap(),
        "99.9k cr"
    );
    assert!(!bool::try_from(get("ItemIsMenu").await).unwrap());
    let menu_path: OwnedObjectPath = item.get_property("Menu").await.unwrap();
    assert_eq!(menu_path.as_str(), MENU_PATH);
    let pixmaps: Vec<(i32, i32, Vec<u8>)> = item.get_property("IconPixmap").await.unwrap();
    assert_eq!(pixmaps, vec![(1, 1, vec![255, 10, 20, 30])]);
    let tooltip: ToolTip = item.get_property("ToolTip").await.unwrap();
    assert_eq!(tooltip.2, "Lattica");
    assert_eq!(tooltip.3, "1,234.50 credits, about 5 h left &lt;now&gt;");
    // The signature hosts parse.
    let raw: OwnedValue = item.get_property("ToolTip").await.unwrap();
    assert_eq!(raw.value_signature().to_string(), "(sa(iiay)ss)");

    let menu = proxy(&host, &name, MENU_PATH, DBUSMENU).await;
    assert_eq!(menu.get_property::<u32>("Version").await.unwrap(), 3);
    let (_, rows) = rows(&menu).await;
    let labels: Vec<_> = rows.iter().map(|(_, p)| text(p, "label")).collect();
    assert_eq!(
        labels,
        [
            Some("Balance: 1,234.50 credits".into()),
            None,
            Some("Open".into()),
            Some("Quit".into())
        ]
    );
    assert_eq!(text(&rows[1].1, "type").as_deref(), Some("separator"));
    assert_eq!(
        rows[0]
            .1
            .get("enabled")
            .map(|v| bool::try_from(v.try_clone().unwrap()).unwrap()),
        Some(false),
        "an info row cannot be clicked"
    );
    let ids: Vec<i32> = rows.iter().map(|(id, _)| *id).collect();
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), 4, "{ids:?}");
    assert!(!ids.contains(&0), "0 is the root");
    tray.shutdown().await;
}

#[tokio::test]
async fn clicks_and_menu_events_reach_the_app() {
    let bus = Bus::start().await;
    let (events, mut rx) = mpsc::unbounded_channel();
    let tray = Tray::spawn_on(&bus.address, model(), events).await.unwrap();
    let host = bus.connect().await;
    let item = proxy(&host, tray.bus_name(), ITEM_PATH, SNI).await;
    let menu = proxy(&host, tray.bus_name(), MENU_PATH, DBUSMENU).await;

    let () = item.call("Activate", &(120i32, 5i32)).await.unwrap();
    assert_eq!(next(&mut rx).await, TrayEvent::Activate { x: 120, y: 5 });
    let () = item.call("SecondaryActivate", &(1i32, 2i32)).await.unwrap();
    assert_eq!(
        next(&mut rx).await,
        TrayEvent::SecondaryActivate { x: 1, y: 2 }
    );
    let () = item.call("ContextMenu", &(1i32, 2i32)).await.unwrap();

    let (_, rows) = rows(&menu).await;
    let id_of = |label: &str| {
        rows.iter()
            .find(|(_, p)| text(p, "label").as_deref() == Some(label))
            .map(|(id, _)| *id)
            .unwrap()
    };
    let () = menu
        .call("Event", &(id_of("Open"), "clicked", Value::from(""), 0u32))
        .await
        .unwrap();
    assert_eq!(next(&mut rx).await, TrayEvent::Menu("open".into()));
    // Hovering is not clicking; a greyed-out row is refused; EventGroup names the bad ids.
    let () = menu
        .call("Event", &(id_of("Quit"), "hovered", Value::from(""), 0u32))
        .await
        .unwrap();
    let refused = menu
        .call::<_, _, ()>(
            "Event",
            &(
                id_of("Balance: 1,234.50 credits"),
                "clicked",
                Value::from(""),
                0u32,
            ),
        )
        .await;
    assert!(refused.is_err());
    let errors: Vec<i32> = menu
        .call(
            "EventGroup",
            &(vec![
                (id_of("Quit"), "clicked", Value::from(""), 0u32),
                (999i32, "clicked", Value::from(""), 0u32),
            ],),
        )
        .await
        .unwrap();
    assert_eq!(errors, [999]);
    assert_eq!(next(&mut rx).await, TrayEvent::Menu("quit".into()));
    assert!(rx.try_recv().is_err(), "nothing else arrived");
    tray.shutdown().await;
}

#[tokio::test]
async fn an_update_sends_only_the_signals_of_what_changed() {
    let bus = Bus::start().await;
    let (events, _rx) = mpsc::unbounded_channel();
    let tray = Tray::spawn_on(&bus.address, model(), events).await.unwrap();
    let host = bus.connect().await;
    let owner = owner_of(&host, tray.bus_name()).await;
    let mut stream = signals(&host, &owner).await;
    let menu = proxy(&host, tray.bus_name(), MENU_PATH, DBUSMENU).await;
    let (revision, _) = rows(&menu).await;

    tray.update(|m| m.label = "20 cr".into());
    let (member, msg) = next_signal(&mut stream).await;
    assert_eq!(member, "XAyatanaNewLabel");
    assert_eq!(
        msg.body().deserialize::<(String, String)>().unwrap(),
        ("20 cr".into(), "99.9k cr".into())
    );

    // Unchanged values send nothing: the next signal is the tooltip's.
    tray.update(|m| m.label = "20 cr".into());
    tray.update(|m| m.tooltip_body = "20.00 credits".into());
    assert_eq!(next_signal(&mut stream).await.0, "NewToolTip");

    tray.update(|m| {
        m.icon = vec![Pixmap::from_rgba(1, 1, &[1, 2, 3, 4]).unwrap()];
        m.status = Status::NeedsAttention;
        m.title = "Lattica (low)".into();
    });
    let mut got = vec![];
    for _ in 0..3 {
        got.push(next_signal(&mut stream).await.0);
    }
    got.sort();
    assert_eq!(got, ["NewIcon", "NewStatus", "NewTitle"]);

    // A row's text: its properties only; the layout and its revision stay (hosts would
    // rebuild the whole menu on every "Updated at" otherwise).
    tray.update(|m| m.menu[0] = MenuItem::info("balance", "Balance: 20.00 credits"));
    let (updated, removed) = properties_updated(&mut stream).await;
    assert_eq!(updated.len(), 1);
    assert_eq!(
        text(&updated[0].1, "label").as_deref(),
        Some("Balance: 20.00 credits")
    );
    assert!(removed.is_empty(), "{removed:?}");
    assert_eq!(rows(&menu).await.0, revision);

    // Other rows: a new layout whose surviving rows keep their numbers. It is the next signal
    // (so the text change above sent no LayoutUpdated).
    let (_, before) = rows(&menu).await;
    tray.update(|m| m.menu.insert(2, MenuItem::action("sign-in", "Sign in…")));
    let (member, msg) = next_signal(&mut stream).await;
    assert_eq!(member, "LayoutUpdated");
    let (new_revision, parent): (u32, i32) = msg.body().deserialize().unwrap();
    assert!(new_revision > revision);
    assert_eq!(parent, 0);
    let (_, after) = rows(&menu).await;
    assert_eq!(after.len(), 5);
    for (id, props) in &before {
        assert!(
            after
                .iter()
                .any(|(i, p)| i == id && text(p, "label") == text(props, "label"))
        );
    }
    tray.shutdown().await;
}

type Updated = (
    Vec<(i32, HashMap<String, OwnedValue>)>,
    Vec<(i32, Vec<String>)>,
);

/// The next signal, which must be an `ItemsPropertiesUpdated`: (updated, removed).
async fn properties_updated(stream: &mut zbus::MessageStream) -> Updated {
    let (member, msg) = next_signal(stream).await;
    assert_eq!(member, "ItemsPropertiesUpdated");
    msg.body().deserialize().unwrap()
}

fn flag(props: &HashMap<String, OwnedValue>, key: &str) -> Option<bool> {
    props.get(key).map(|v| bool::try_from(v).unwrap())
}

#[tokio::test]
async fn a_row_greyed_out_then_enabled_again_is_patched_back_to_its_default() {
    let bus = Bus::start().await;
    let (events, mut rx) = mpsc::unbounded_channel();
    let tray = Tray::spawn_on(&bus.address, model(), events).await.unwrap();
    let host = bus.connect().await;
    let owner = owner_of(&host, tray.bus_name()).await;
    let mut stream = signals(&host, &owner).await;
    let menu = proxy(&host, tray.bus_name(), MENU_PATH, DBUSMENU).await;
    let (revision, rows_before) = rows(&menu).await;
    let open = rows_before[2].0;
    let set_open = |enabled: bool, visible: bool| {
        tray.update(|m| {
            m.menu[2] = MenuItem::Standard {
                id: "open".into(),
                label: "Open".into(),
                enabled,
                visible,
            }
        })
    };

    set_open(false, true);
    let (updated, removed) = properties_updated(&mut stream).await;
    assert_eq!(updated.len(), 1);
    assert_eq!(updated[0].0, open);
    assert_eq!(flag(&updated[0].1, "enabled"), Some(false));
    assert!(removed.is_empty(), "{removed:?}");
    let clicked: zbus::Result<()> = menu
        .call("Event", &(open, "clicked", Value::from(""), 0u32))
        .await;
    assert!(clicked.is_err(), "a greyed-out row took a click");

    // Enabled again: `enabled` is a default now, left out of the properties, so it is listed
    // as removed (a host patching only the keys it is sent would keep the row greyed out).
    set_open(true, true);
    let (updated, removed) = properties_updated(&mut stream).await;
    assert_eq!(updated[0].0, open);
    assert_eq!(flag(&updated[0].1, "enabled"), None);
    assert_eq!(removed, [(open, vec!["enabled".to_owned()])]);

    // Hidden and shown again, the same for `visible`.
    set_open(true, false);
    let (updated, removed) = properties_updated(&mut stream).await;
    assert_eq!(flag(&updated[0].1, "visible"), Some(false));
    assert!(removed.is_empty(), "{removed:?}");
    set_open(true, true);
    let (_, removed) = properties_updated(&mut stream).await;
    assert_eq!(removed, [(open, vec!["visible".to_owned()])]);

    // No layout change in all this: same revision, same rows; the row clicks again.
    let (revision_after, rows_after) = rows(&menu).await;
    assert_eq!(revision_after, revision);
    assert_eq!(rows_after.len(), rows_before.len());
    let clicked: zbus::Result<()> = menu
        .call("Event", &(open, "clicked", Value::from(""), 0u32))
        .await;
    clicked.unwrap();
    assert_eq!(next(&mut rx).await, TrayEvent::Menu("open".into()));
    tray.shutdown().await;
}

#[tokio::test]
async fn it_registers_with_each_new_watcher_and_waits_without_one() {
    let bus = Bus::start().await;
    let (events, _rx) = mpsc::unbounded_channel();
    // No watcher yet: the item still starts and serves.
    let tray = Tray::spawn_on(&bus.address, model(), events).await.unwrap();
    let host = bus.connect().await;
    let item = proxy(&host, tray.bus_name(), ITEM_PATH, SNI).await;
    assert_eq!(
        item.get_property::<String>("Title").await.unwrap(),
        "Lattica"
    );

    let (watcher, mut registered) = start_watcher(&bus).await;
    assert_eq!(next(&mut registered).await, tray.bus_name());
    // The panel restarts: a new watcher, a new registration.
    drop(registered);
    watcher.close().await.unwrap();
    let (_watcher, mut registered) = start_watcher(&bus).await;
    assert_eq!(next(&mut registered).await, tray.bus_name());

    // Shutdown gives the name back, which is how the watcher learns the item is gone.
    let name = tray.bus_name().to_owned();
    tray.shutdown().await;
    let dbus = zbus::fdo::DBusProxy::new(&host).await.unwrap();
    assert!(
        !dbus
            .name_has_owner(name.as_str().try_into().unwrap())
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn a_watcher_that_answers_a_moment_after_taking_its_name_still_gets_the_item() {
    let bus = Bus::start().await;
    let (events, _rx) = mpsc::unbounded_channel();
    let tray = Tray::spawn_on(&bus.address, model(), events).await.unwrap();
    // The name first, the object 300 ms later: a call in between finds no such object.
    let (tx, mut registered) = mpsc::unbounded_channel();
    let watcher = zbus::connection::Builder::address(bus.address.as_str())
        .unwrap()
        .name("org.kde.StatusNotifierWatcher")
        .unwrap()
        .build()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    watcher
        .object_server()
        .at("/StatusNotifierWatcher", Watcher(tx))
        .await
        .unwrap();
    assert_eq!(next(&mut registered).await, tray.bus_name());
    tray.shutdown().await;
}
