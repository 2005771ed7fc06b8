//! `api/model/list_models`: the models an account can run workers for.

use serde::Deserialize;

use super::ids;

/// A model of the catalog. Its `instance_type_id` says what a worker of it burns per hour.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Model {
    #[serde(alias = "model_id", deserialize_with = "ids::required")]
    pub model_id: String,
    #[serde(default, rename = "modelName", alias = "model_name")]
    pub name: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default, alias = "instance_type_id")]
    pub instance_type_id: Option<String>,
    #[serde(default, alias = "num_devices")]
    pub num_devices: Option<u32>,
    #[serde(default)]
    pub visibility: Option<String>,
}

/// `{"models": [model…]}`
#[derive(Deserialize)]
pub(crate) struct ModelList {
    pub(crate) models: Vec<Model>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::read;

    #[test]
    fn reads_models() {
        let list: ModelList = read(
            r#"{"models": [
                {"modelId": "m1", "modelName": "Chat", "status": "READY",
                 "instanceTypeId": "G4DN_XLARGE", "numDevices": 1, "visibility": "public"},
                {"model_id": 7}]}"#,
            "models",
        )
        .unwrap();
        assert_eq!(list.models.len(), 2);
        assert_eq!(list.models[0].name.as_deref(), Some("Chat"));
        assert_eq!(list.models[0].num_devices, Some(1));
        assert_eq!(list.models[1].model_id, "7");
        assert_eq!(list.models[1].instance_type_id, None);
        assert!(
            read::<ModelList>(r#"{"models": [{"numDevices": -1, "modelId": "x"}]}"#, "m").is_err()
        );
        assert!(read::<ModelList>(r#"{"items": []}"#, "m").is_err());
    }
}
