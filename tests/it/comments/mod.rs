//! Comments from the item page: added, changed and deleted in place with htmx (CSRF and
//! HX-Request as the page sends them), only by their author, the 4,000-character rule with
//! what was typed kept, hidden items' comments answering 404, and the mention autocomplete
//! offering only members who can see the item. Email (`mail`), the API (`api`) and a real
//! browser picking a mention (`browser`) have their own files.

mod api;
mod browser;
mod mail;

use cairn::schema::comments;
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::Value;

use crate::harness::{Browser, Workspace};

/// The item page's path.
fn item_page(w: &Workspace, item: &str) -> String {
    format!("{}/items/{item}", w.base())
}

/// Comments `who` writes from the item page, as its htmx form posts them.
async fn comment(w: &Workspace, who: &Browser, item: &str, body: &str) -> crate::harness::Page {
    let page = item_page(w, item);
    who.get(&page).await;
    who.htmx_post(&format!("{page}/comments"), &[("body", body)])
        .await
}

/// The texts of the comments a section (or page) shows, in order.
fn shown(page: &crate::harness::Page) -> Vec<String> {
    let html = page.html();
    let body = scraper::Selector::parse("#comments .comment-body").expect("selector");
    html.select(&body)
        .map(|b| b.text().collect::<String>().trim().to_owned())
        .collect()
}

fn stored(w: &Workspace, item: &str) -> Vec<(String, String, Option<chrono::NaiveDateTime>)> {
    comments::table
        .filter(comments::item_id.eq(item))
        .order(comments::created_at.asc())
        .select((comments::id, comments::body, comments::deleted_at))
        .load(&mut w.app.db())
        .expect("comments")
}

#[tokio::test]
async fn comments_are_added_changed_and_deleted_in_place_newest_last() {
    let w = Workspace::new("option_1").await;
    let item = w.create(&w.admin, "objective", None, "Grow revenue").await;
    let page = w.admin.get(&item_page(&w, &item)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text_of("#comments .comments-empty").is_some());

    let first = comment(&w, &w.admin, &item, "Looks **good**").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(
        first.body.contains("<strong>good</strong>"),
        "{}",
        first.body
    );
    assert!(!first.body.contains("<html"), "a fragment, not a page");
    let second = comment(&w, &w.admin, &item, "  Second thought  ").await;
    assert_eq!(shown(&second), ["Looks good", "Second thought"]);
    // The box is empty again for the next one.
    assert_eq!(second.text_of("#comment-body").as_deref(), Some(""));

    let rows = stored(&w, &item);
    let (first_id, second_id) = (rows[0].0.clone(), rows[1].0.clone());
    assert_eq!(rows[1].1, "Second thought", "stored trimmed");
    let editing = w
        .admin
        .get(&format!("{}/comments/{first_id}/edit", w.base()))
        .await;
    assert_eq!(editing.status, StatusCode::OK);
    assert_eq!(
        editing.text_of("#comment-edit-body").as_deref(),
        Some("Looks **good**")
    );
    let changed = w
        .admin
        .htmx_post(
            &format!("{}/comments/{first_id}", w.base()),
            &[("body", "Looks *great*")],
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(shown(&changed), ["Looks great", "Second thought"]);
    assert!(changed.text_of(".comment-edited").is_some());

    let deleted = w
        .admin
        .htmx_post(&format!("{}/comments/{second_id}/delete", w.base()), &[])
        .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    assert_eq!(shown(&deleted), ["Looks great"]);
    assert!(stored(&w, &item)[1].2.is_some(), "deleted softly");

    // The item's history says what happened, like any other change.
    let page = w.admin.get(&item_page(&w, &item)).await;
    let history = page.text_of("#item-history").expect("history");
    for said in ["commented", "changed a comment", "deleted a comment"] {
        assert!(history.contains(said), "{history}");
    }
    assert_eq!(shown(&page), ["Looks great"]);

    // Without script a comment posts as a form and lands back on the item page.
    let posted = w
        .admin
        .post_form(
            &format!("{}/comments", item_page(&w, &item)),
            &[("body", "Plain")],
        )
        .await;
    posted.assert_redirect(&format!("{}#comments", item_page(&w, &item)));
}

#[tokio::test]
async fn another_member_cannot_change_or_delete_my_comment() {
    let w = Workspace::new("option_1").await;
    let ada = w.member("ada@example.com", "Ada Lovelace", None).await;
    let bob = w.member("bob@example.com", "Bob Babbage", None).await;
    let item = w.create(&w.admin, "objective", None, "Grow revenue").await;
    let mine = comment(&w, &ada, &item, "Mine").await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    let id = stored(&w, &item)[0].0.clone();

    // Bob sees it, without Edit or Delete.
    let page = bob.get(&item_page(&w, &item)).await;
    assert_eq!(shown(&page), ["Mine"]);
    assert!(page.text_of(".comment-edit").is_none());
    for refused in [
        bob.get(&format!("{}/comments/{id}/edit", w.base())).await,
        bob.htmx_post(&format!("{}/comments/{id}", w.base()), &[("body", "Bob's")])
            .await,
        bob.htmx_post(&format!("{}/comments/{id}/delete", w.base()), &[])
            .await,
        // Not even a workspace admin changes someone else's words.
        w.admin
            .htmx_post(
                &format!("{}/comments/{id}", w.base()),
                &[("body", "Admin's")],
            )
            .await,
    ] {
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    }
    assert_eq!(stored(&w, &item), vec![(id, "Mine".to_owned(), None)]);
    // Ada sees her own with both.
    let page = ada.get(&item_page(&w, &item)).await;
    assert!(page.text_of(".comment-edit").is_some());
    assert!(page.text_of(".comment-delete").is_some());
}

#[tokio::test]
async fn a_comment_over_4000_characters_is_refused_with_the_reason_and_what_was_typed() {
    let w = Workspace::new("option_1").await;
    let item = w.create(&w.admin, "objective", None, "Grow revenue").await;
    let long = "é".repeat(4_001);
    let refused = comment(&w, &w.admin, &item, &long).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.text_of("#comment-body-error").as_deref(),
        Some("Keep the comment to 4,000 characters or fewer.")
    );
    assert_eq!(refused.text_of("#comment-body"), Some(long));
    assert_eq!(
        refused.attr_of("#comment-body", "aria-invalid").as_deref(),
        Some("true")
    );
    let blank = comment(&w, &w.admin, &item, " \n ").await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        blank.text_of("#comment-body-error").as_deref(),
        Some("Write something first.")
    );
    assert!(stored(&w, &item).is_empty());
    // 4,000 exactly is fine; a change over the limit keeps the stored words.
    let fine = comment(&w, &w.admin, &item, &"é".repeat(4_000)).await;
    assert_eq!(fine.status, StatusCode::OK);
    let id = stored(&w, &item)[0].0.clone();
    let too_long = "x".repeat(4_001);
    let refused = w
        .admin
        .htmx_post(
            &format!("{}/comments/{id}", w.base()),
            &[("body", &too_long)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.text_of("#comment-edit-body"), Some(too_long));
    assert!(refused.text_of("#comment-edit-body-error").is_some());
    assert_eq!(stored(&w, &item)[0].1, "é".repeat(4_000));
}

/// The names the mention autocomplete offers `who` for `typed`.
async fn offered(w: &Workspace, who: &Browser, item: &str, typed: &str) -> Vec<String> {
    let answer = who
        .get(&format!("{}/mentions?q={typed}", item_page(w, item)))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let body: Value = serde_json::from_str(&answer.body).expect("json");
    body["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["name"].as_str().expect("name").to_owned())
        .collect()
}

#[tokio::test]
async fn the_autocomplete_offers_only_members_who_can_see_the_item_and_hidden_items_are_404() {
    let w = Workspace::new("option_2").await;
    let ada = w.member("ada@example.com", "Ada Lovelace", None).await;
    let cy = w.member("cy@example.com", "Cy Adams", None).await;
    // Someone else's organization, with a name that matches.
    w.app.person("stranger@example.com", "Stan Adler").await;
    let item = w.create(&w.admin, "objective", None, "Grow revenue").await;
    w.assign(&item, "ada@example.com");

    // Need-to-know: Ada (assigned) and the admin see the item; Cy does not.
    assert_eq!(
        offered(&w, &w.admin, &item, "ad").await,
        ["Ada Lovelace", "Adele Admin"]
    );
    assert_eq!(offered(&w, &ada, &item, "LOVE").await, ["Ada Lovelace"]);
    assert!(offered(&w, &w.admin, &item, "cy").await.is_empty());
    assert!(offered(&w, &w.admin, &item, "stan").await.is_empty());

    // To Cy the item, its comments and its suggestions do not exist.
    comment(&w, &ada, &item, "Hidden words").await;
    let base = item_page(&w, &item);
    cy.get("/").await;
    for hidden in [
        cy.get(&format!("{base}/comments")).await,
        cy.get(&format!("{base}/mentions?q=a")).await,
        cy.htmx_post(&format!("{base}/comments"), &[("body", "Hi")])
            .await,
    ] {
        assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.body);
        assert!(!hidden.body.contains("Hidden words"));
    }
    let id = stored(&w, &item)[0].0.clone();
    let edit = cy.get(&format!("{}/comments/{id}/edit", w.base())).await;
    assert_eq!(edit.status, StatusCode::NOT_FOUND);
    assert_eq!(stored(&w, &item).len(), 1);
}
